/**
 * A scripted browser that times itself: `openBrowser(url)` returns at once (as a real
 * browser does) and, in the background, fetches the authorize URL and follows redirects —
 * the emulator approves at once and redirects to our loopback server. Each hop is timed and
 * marked as the auth server's (external) or ours (the redirect to the local server).
 */

/** `{ openBrowser, done(), takeHops() }`; `authOrigin` is the emulator's origin. */
export function timedBrowser(authOrigin) {
  let hops = [];
  let running = Promise.resolve();

  async function browse(start) {
    let url = start;
    for (let hop = 0; hop < 10; hop += 1) {
      const began = performance.now();
      const response = await fetch(url, { redirect: 'manual' });
      await response.arrayBuffer();
      hops.push({
        external: new URL(url).origin === authOrigin,
        ms: performance.now() - began,
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url).href;
        continue;
      }
      if (!response.ok) throw new Error(`the scripted browser got ${response.status}`);
      return;
    }
    throw new Error('the scripted browser followed too many redirects');
  }

  return {
    openBrowser(url) {
      running = browse(url);
      // The login fails by itself (timeout) if browsing fails; keep the error for done().
      running.catch(() => undefined);
    },
    done: () => running,
    /** The hops since the last call, and forgets them. */
    takeHops() {
      const taken = hops;
      hops = [];
      return taken;
    },
  };
}

/**
 * A `fetch` that records how long each request to the auth server took until its response
 * headers arrived (the body is read by the caller and counted as ours: a conservative split).
 */
export function timedFetch() {
  let calls = [];
  const wrapped = async (input, init) => {
    const began = performance.now();
    try {
      return await fetch(input, init);
    } finally {
      calls.push(performance.now() - began);
    }
  };
  return {
    fetch: wrapped,
    takeCalls() {
      const taken = calls;
      calls = [];
      return taken;
    },
  };
}
