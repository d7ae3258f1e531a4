/**
 * Resolving the URL a browser is given the way its first hop would: the local server's one-time
 * `/start/` link, or the paste flow's `file:` redirect page.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The authorize URL behind a `/start/` link (consuming it) or a redirect page; else `url`. */
export async function authorizeUrlOf(url: string): Promise<string> {
  if (url.startsWith('file:')) return redirectTargetOf(url);
  if (!/^http:\/\/127\.0\.0\.1:\d+\/start\//.test(url)) return url;
  const response = await fetch(url, { redirect: 'manual' });
  await response.body?.cancel();
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`${url} answered ${response.status}`);
  return location;
}

/** The URL a redirect page's meta refresh points to, HTML-unescaped. */
async function redirectTargetOf(fileUrl: string): Promise<string> {
  const page = await readFile(fileURLToPath(fileUrl), 'utf8');
  const match = /<meta http-equiv="refresh" content="0; url=([^"]*)">/.exec(page);
  if (!match?.[1]) throw new Error(`no redirect in ${fileUrl}`);
  return match[1]
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
