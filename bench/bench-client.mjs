/**
 * What the scenarios share: where the built package is, a NativeClient wired for the bench
 * (scripted browser, silent streams, no SSH detection), and a real login to get tokens.
 */
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { timedBrowser } from './timed-browser.mjs';

/** The project root, the built library and the built CLI. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST_INDEX = new URL('../dist/index.mjs', import.meta.url).href;
export const CLI_PATH = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** The client id every scenario logs in with (any UUID works with the emulator). */
export const CLIENT_ID = '5f6c8e1a-3b2d-4c7e-9a1f-0b2c3d4e5f60';

/** Two resource servers: auth.globus.org and transfer.api.globus.org. */
export const SCOPES = 'openid profile email urn:globus:auth:scope:transfer.api.globus.org:all';
export const TRANSFER = 'transfer.api.globus.org';

/** The built library as `import 'native-login'` loads it (`dist/index.mjs`), imported once. */
export function loadLibrary() {
  return import(DIST_INDEX);
}

/** A stream that swallows what the login prints (the URL, "waiting…"). */
export function silentStream() {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

/**
 * A NativeClient on `storageFile` (or on the given `storage`) against `authUrl`, logging in
 * through a scripted browser.
 */
export function benchClient(lib, { authUrl, storageFile, storage, fetch, browser }) {
  return new lib.NativeClient({
    clientId: CLIENT_ID,
    appName: 'native-login bench',
    authBaseUrl: authUrl,
    tokenStorage: storage ?? new lib.MultiClientTokenStorage({ filename: storageFile }),
    codeHandlers: [new lib.LocalServerCodeHandler()],
    openBrowser: (browser ?? timedBrowser(new URL(authUrl).origin)).openBrowser,
    fetch,
    // Not the bench's own environment (an SSH_CONNECTION would skip the local server). BROWSER
    // tells the client a browser can open here even without a DISPLAY; openBrowser is ours.
    env: { BROWSER: 'scripted' },
    stdout: silentStream(),
    stderr: silentStream(),
  });
}

/** Logs in for real (refresh tokens asked for) and returns the client and its tokens. */
export async function loginForTokens(lib, options) {
  const client = benchClient(lib, options);
  const tokens = await client.login({
    requestedScopes: SCOPES,
    refreshTokens: true,
    force: true,
    timeoutMs: 30_000,
  });
  return { client, tokens };
}

/** The same tokens, every group expired a minute ago (refresh tokens kept). */
export function expired(tokens) {
  const past = Math.floor(Date.now() / 1000) - 60;
  return Object.fromEntries(
    Object.entries(tokens).map(([rs, group]) => [rs, { ...group, expires_at_seconds: past }]),
  );
}
