/**
 * The demo's stand-in for a person with a browser: it loads the login URL and follows the
 * redirects (the emulator approves at once), which delivers the code to the local server.
 * It refuses any address that is not on this machine, so the demo never leaves loopback.
 */

/** A scripted browser: `open(url)` starts browsing in the background; `done()` waits for it. */
export type LoopbackBrowser = {
  open: (url: string) => Promise<void>;
  /** Settles when the last browse ended; rejects with what went wrong, if anything. */
  done: () => Promise<void>;
};

const MAX_HOPS = 10;

/** True for 127.x.x.x, ::1 and localhost. */
export function isLoopbackUrl(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:' && protocol !== 'https:') return false;
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Makes a browser that fetches with `fetchImpl` and follows at most ten redirects;
 * `onError` hears why browsing failed (so a login need not wait for its timeout).
 */
export function loopbackBrowser(
  onError: (error: unknown) => void,
  fetchImpl: typeof fetch = fetch,
): LoopbackBrowser {
  let running: Promise<void> = Promise.resolve();

  async function browse(start: string): Promise<void> {
    let url = start;
    for (let hop = 0; hop <= MAX_HOPS; hop += 1) {
      if (!isLoopbackUrl(url)) {
        throw new Error(
          `the demo browser only visits loopback addresses, not ${new URL(url).host}`,
        );
      }
      const response = await fetchImpl(url, { redirect: 'manual' });
      const location = response.headers.get('location');
      await response.arrayBuffer();
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url).href;
        continue;
      }
      if (!response.ok) throw new Error(`the page answered ${response.status}`);
      return;
    }
    throw new Error('too many redirects');
  }

  return {
    open: (url) => {
      // Like a real browser, opening returns at once; the page loads in the background.
      running = browse(url);
      running.catch(onError);
      return Promise.resolve();
    },
    done: () => running,
  };
}
