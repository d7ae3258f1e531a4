/**
 * The paste flow's stand-in for the authorize URL in a browser's argv: every local user can read
 * /proc/<pid>/cmdline, so the browser is given the `file:` URL of a page that redirects to the
 * authorize URL, written 0600 in a private 0700 folder and removed when the attempt ends.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A redirect page on disk: the `file:` URL to give the browser, and how to remove it. */
export type RedirectFile = {
  /** The page's `file:` URL; it names nothing secret. */
  url: string;
  /** The page's path on disk. */
  path: string;
  /** Removes the page and its folder (best effort, idempotent). */
  remove: () => Promise<void>;
};

// The pages that exist right now, by path: the opener accepts a file URL only when it is one of
// these, so it still refuses any other file (or a file we already removed).
const livePages = new Set<string>();

/** Writes a page that redirects to `authorizeUrl` (http(s) only) and registers it for the opener. */
export async function writeRedirectFile(authorizeUrl: string): Promise<RedirectFile> {
  if (!/^https?:\/\//i.test(authorizeUrl)) {
    throw new Error('Only an http(s) URL can be the target of a redirect page.');
  }
  // mkdtemp creates the folder 0700, so no other user can list, read or swap the page.
  const dir = await mkdtemp(join(tmpdir(), 'native-login-'));
  const path = join(dir, 'login.html');
  try {
    // 'wx' with the mode in open(2): the file is never readable by others, not even briefly.
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(redirectPage(authorizeUrl), 'utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  livePages.add(path);
  let removed = false;
  return {
    url: pathToFileURL(path).href,
    path,
    remove: async () => {
      if (removed) return;
      removed = true;
      livePages.delete(path);
      // Best effort: a leftover page must not turn a finished login into a failure.
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** Whether `url` is the `file:` URL of a redirect page written here and not yet removed. */
export function isRedirectFileUrl(url: string): boolean {
  if (!url.toLowerCase().startsWith('file:')) return false;
  try {
    return livePages.has(fileURLToPath(url));
  } catch {
    return false;
  }
}

/** The page: an immediate meta refresh plus a plain link, sending no Referer to the server. */
export function redirectPage(authorizeUrl: string): string {
  const href = escapeHtml(authorizeUrl);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Referrer-Policy" content="no-referrer">
<meta http-equiv="refresh" content="0; url=${href}">
<title>Log in</title>
</head>
<body>
<p><a href="${href}" rel="noreferrer">Continue to log in</a></p>
</body>
</html>
`;
}

/** Escapes the characters that could end an attribute or start markup. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
