/**
 * Attacks on the local login server while it waits for the browser: it listens on loopback
 * only; forged codes without or with a wrong state, /favicon.ico and other paths, POSTs
 * (even with the right state), a repeated state, oversized URLs, 10,000 junk requests and
 * slow half-open connections all get turned away, and the real login still succeeds. A
 * script payload in the app name comes back escaped on the success page.
 */
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { after, before, test } from 'node:test';
import { LocalServerCodeHandler } from '../../src/code-handlers/local-server-code-handler.js';
import { type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { authorizeUrlOf } from '../helpers/start-link.js';
import { sendJunk } from './junk-requests.js';
import { mulberry32, seedFrom } from './prng.js';
import { followLogin, get, halfOpen, listeners, rawRequest, redirectParts } from './raw-http.js';
import { SecretScan } from './secret-scan.js';

const JUNK = 10_000;
const SLOW = 16;
const SCRIPT = '<script>alert("x")</script>';
const SEED = seedFrom(process.env, 4242);
const scan = new SecretScan();
let s: ClientSetup;

before(async () => {
  s = await setupClient({ client: { fetch: scan.tapFetch() } });
});
after(async () => {
  scan.capture('client stderr', s.messages());
  await s.cleanup();
});

test(`attacks while the login waits, then the real login succeeds`, async (t) => {
  const handler = new LocalServerCodeHandler();
  const found: Record<string, unknown> = {};
  let successPage = '';
  let browsing: Promise<void> = Promise.resolve();
  let listeningPort = 0;
  const attack = async (authorizeUrl: string) => {
    const { port, state } = redirectParts(authorizeUrl);
    listeningPort = port;
    found['address'] = handler.listeningAddress?.address;
    found['listeners'] = listeners(port);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    found['external'] =
      external === undefined
        ? 'no non-loopback address here (skipped)'
        : await new Promise((done) => {
            import('node:net').then(({ connect }) => {
              const socket = connect(port, external);
              socket.once('connect', () => {
                socket.destroy();
                done('CONNECTED');
              });
              socket.once('error', (e: NodeJS.ErrnoException) => done(e.code));
            });
          });
    const slow = await Promise.all(
      Array.from({ length: SLOW }, (_, i) => halfOpen(port, i % 2 ? 'GET /?code=slow&st' : 'G')),
    );
    found['slow'] = slow;
    const ask = async (name: string, payload: string) => {
      const answer = await rawRequest(port, payload);
      found[name] = answer.status;
      if (answer.body.includes('<script>alert')) found[`${name} reflected`] = true;
    };
    await ask('no state', get('/?code=forged'));
    await ask('wrong state', get(`/?code=forged&state=${'A'.repeat(state.length)}`));
    await ask('wrong state, script', get(`/?error=${encodeURIComponent(SCRIPT)}&state=nope`));
    await ask('state twice', get(`/?code=forged&state=${state}&state=${state}`));
    await ask('favicon', get('/favicon.ico'));
    await ask('other path', get(`/login?code=forged&state=${state}`));
    await ask(
      'POST with the right state',
      `POST /?code=forged&state=${state} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    await ask('URL of 9 KiB', get(`/?code=${'x'.repeat(9 * 1024)}&state=${state}`));
    await ask('URL of 100 KiB', get(`/?pad=${'x'.repeat(100 * 1024)}`));
    const started = performance.now();
    found['junk'] = await sendJunk(port, JUNK, 8, mulberry32(SEED));
    found['junk ms'] = performance.now() - started;
    successPage = await (await followLogin(authorizeUrl)).text();
  };
  let attackError: unknown;
  const client = s.makeClient({
    appName: SCRIPT,
    codeHandlers: [handler],
    openBrowser: (url) => {
      browsing = authorizeUrlOf(url)
        .then(attack)
        .catch((e: unknown) => {
          attackError = e;
        });
    },
  });
  const tokens = await client.login({ force: true, refreshTokens: true });
  await browsing;
  scan.addGroups(tokens);
  assert.equal(attackError, undefined, String(attackError));
  const slow = found['slow'] as { closed: Promise<void> }[];
  await Promise.all(slow.map((c) => c.closed));
  const junk = found['junk'] as Awaited<ReturnType<typeof sendJunk>>;
  t.diagnostic(
    `local server: listens on ${String(found['address'])}; kernel LISTEN entries for its port: ${JSON.stringify(found['listeners'])}; from a non-loopback address: ${String(found['external'])}`,
  );
  t.diagnostic(
    `local server: no state ${found['no state']}, wrong state ${found['wrong state']}, state twice ${found['state twice']}, ` +
      `favicon ${found['favicon']}, other path ${found['other path']}, POST with the right state ${found['POST with the right state']}, ` +
      `9 KiB URL ${found['URL of 9 KiB']}, 100 KiB URL ${found['URL of 100 KiB']}`,
  );
  t.diagnostic(
    `local server: ${JUNK} junk requests (seed ${SEED}) in ${((found['junk ms'] as number) / 1000).toFixed(1)} s: ` +
      `${JSON.stringify(junk.byStatus)}; accepted ${junk.accepted}, payload reflected ${junk.reflected}; ` +
      `${SLOW} half-open connections held open; the real login then succeeded and every socket was closed`,
  );
  assert.equal(found['address'], '127.0.0.1');
  assert.deepEqual(found['listeners'], ['127.0.0.1']);
  assert.ok(found['external'] !== 'CONNECTED', 'reachable from a non-loopback address');
  for (const name of ['no state', 'wrong state', 'wrong state, script', 'state twice'])
    assert.equal(found[name], 400, name);
  assert.equal(found['favicon'], 404);
  assert.equal(found['other path'], 404);
  assert.equal(found['POST with the right state'], 405);
  for (const name of ['URL of 9 KiB', 'URL of 100 KiB'])
    assert.ok([414, 431].includes(found[name] as number), name);
  assert.equal(found['wrong state, script reflected'], undefined, 'a payload was reflected');
  assert.equal(junk.accepted, 0);
  assert.equal(junk.reflected, 0);
  assert.ok(!successPage.includes('<script>alert'), 'the app name is not markup');
  assert.ok(
    successPage.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'),
    'the app name is shown escaped',
  );
  assert.deepEqual(listeners(listeningPort), [], 'the server is gone after the login');
});

scan.checkAtEnd(async () => {
  await scan.addFromFolder(s.dir);
  scan.capture('client stderr', s.messages());
});
