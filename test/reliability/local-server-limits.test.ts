/**
 * The local login server's limits: script payloads in `error` and `error_description` come
 * back escaped (under a strict Content-Security-Policy), and more idle connections than its
 * connection cap (32), which any local process can open without knowing anything, must not
 * keep the browser's redirect out.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LocalServerCodeHandler } from '../../src/code-handlers/local-server-code-handler.js';
import { LocalServerError } from '../../src/errors.js';
import { type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { authorizeUrlOf } from '../helpers/start-link.js';
import { followLogin, halfOpen, redirectParts } from './raw-http.js';
import { SecretScan } from './secret-scan.js';

const SCRIPT = '<script>alert("x")</script>';
const scan = new SecretScan();
let s: ClientSetup;

before(async () => {
  s = await setupClient({ client: { fetch: scan.tapFetch() } });
});
after(async () => {
  scan.capture('client stderr', s.messages());
  await s.cleanup();
});

test('script payloads in error and error_description come back escaped', async (t) => {
  let page = '';
  let csp = '';
  let browsing: Promise<void> = Promise.resolve();
  const client = s.makeClient({
    codeHandlers: [new LocalServerCodeHandler()],
    openBrowser: (url) => {
      browsing = (async () => {
        const { redirect, state } = redirectParts(await authorizeUrlOf(url));
        const query = new URLSearchParams({
          error: SCRIPT,
          error_description: '<img src=x onerror=alert(2)>',
          state,
        });
        const response = await fetch(`${redirect}?${query}`);
        csp = response.headers.get('content-security-policy') ?? '';
        page = await response.text();
      })();
    },
  });
  const error = await client.login({ force: true }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await browsing;
  scan.captureError('forged error', error);
  assert.ok(error instanceof LocalServerError, String(error));
  assert.ok(
    !page.includes('<script>alert') && !page.includes('<img src=x'),
    'the payload is not markup',
  );
  assert.ok(
    page.includes('&lt;script&gt;alert') && page.includes('&lt;img src=x'),
    'the payload is shown escaped',
  );
  assert.match(csp, /default-src 'none'/);
  t.diagnostic(
    'local server: <script> and <img onerror> in error/error_description are shown escaped, under a CSP with default-src none',
  );
});

test('more idle half-open connections than the server accepts (32): the real login still succeeds', async (t) => {
  const MANY = 48;
  let browsing: Promise<void> = Promise.resolve();
  let browser = '';
  const client = s.makeClient({
    codeHandlers: [new LocalServerCodeHandler()],
    openBrowser: (link) => {
      browsing = (async () => {
        const url = await authorizeUrlOf(link);
        const { port } = redirectParts(url);
        // One byte each, then silence: a local process can open these without any secret.
        await Promise.all(Array.from({ length: MANY }, () => halfOpen(port, 'G')));
        try {
          browser = `answered ${(await followLogin(url)).status}`;
        } catch (error) {
          browser = `failed (${String((error as { cause?: { code?: string } }).cause?.code ?? error)})`;
        }
      })();
    },
  });
  // A short wait: the browser is answered at once or not at all.
  const outcome = await client.login({ force: true, timeoutMs: 3000 }).then(
    (tokens) => {
      scan.addGroups(tokens);
      return 'succeeded';
    },
    (error: unknown) => {
      scan.captureError('login under many half-open connections', error);
      return `failed with ${error instanceof Error ? error.constructor.name : String(error)}`;
    },
  );
  await browsing;
  t.diagnostic(
    `local server: ${MANY} idle half-open connections, then the browser: ${browser}; the login ${outcome}`,
  );
  assert.equal(
    outcome,
    'succeeded',
    `${MANY} idle connections (one byte each) fill the server's 32-connection cap, so the browser's redirect is reset and the login cannot finish`,
  );
});

scan.checkAtEnd(async () => {
  await scan.addFromFolder(s.dir);
  scan.capture('client stderr', s.messages());
});
