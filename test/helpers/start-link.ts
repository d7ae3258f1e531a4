/** Resolving the local server's one-time `/start/` link the way a browser's first hop would. */

/** The authorize URL behind a `/start/` link (consuming it); any other URL is returned as is. */
export async function authorizeUrlOf(url: string): Promise<string> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\/start\//.test(url)) return url;
  const response = await fetch(url, { redirect: 'manual' });
  await response.body?.cancel();
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`${url} answered ${response.status}`);
  return location;
}
