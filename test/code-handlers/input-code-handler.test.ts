/** InputCodeHandler with a real readable stream standing in for the terminal. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { InputCodeHandler, PASTE_PROMPT } from '../../src/code-handlers/input-code-handler.js';
import { AuthFailure, LoginCancelled, UsageError } from '../../src/errors.js';
import { makeContext } from './helpers/handler-context.js';

const REQUEST = { authorizeUrl: 'https://auth.example.org/v2/oauth2/authorize?s=1', state: 's' };

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('InputCodeHandler', { timeout: 20_000 }, () => {
  test('redirectUri is the Globus code page of the base URL', async () => {
    const handler = new InputCodeHandler();
    assert.throws(() => handler.redirectUri, UsageError);
    await handler.start(makeContext({ authBaseUrl: 'https://auth.globus.org/' }).ctx);
    assert.equal(handler.redirectUri, 'https://auth.globus.org/v2/web/auth-code');
    await handler.start(makeContext({ authBaseUrl: 'http://127.0.0.1:8123/base' }).ctx);
    assert.equal(handler.redirectUri, 'http://127.0.0.1:8123/base/v2/web/auth-code');
    const fixed = new InputCodeHandler({ redirectUri: 'https://example.org/show-code' });
    await fixed.start(makeContext().ctx);
    assert.equal(fixed.redirectUri, 'https://example.org/show-code');
  });

  test('reads one line, trims it, asks exactly once on stderr after the URL', async () => {
    const t = makeContext();
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    t.stdin.write('  code123  \n');
    assert.deepEqual(await handler.authenticate(REQUEST, t.ctx), { code: 'code123' });
    const text = t.stderrText();
    assert.equal(count(text, `${PASTE_PROMPT}\n`), 1);
    assert.equal(PASTE_PROMPT, 'Please paste your auth code below:');
    assert.ok(text.indexOf(REQUEST.authorizeUrl) < text.indexOf(PASTE_PROMPT));
    assert.doesNotMatch(text, /code123/, 'the code is never echoed');
    await handler.stop();
  });

  test('an empty line asks again; a code with spaces inside is refused', async () => {
    const t = makeContext();
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    const pending = handler.authenticate(REQUEST, t.ctx);
    t.stdin.write('\n');
    t.stdin.write('   \r\n');
    t.stdin.write('abc def\n');
    t.stdin.write('abc\u0007def\n');
    t.stdin.write('Zq9\r\n');
    assert.deepEqual(await pending, { code: 'Zq9' });
    const text = t.stderrText();
    assert.equal(count(text, `${PASTE_PROMPT}\n`), 5);
    assert.equal(count(text, 'does not look like an auth code'), 2);
    await handler.stop();
  });

  test('a code arriving in pieces is read as one line', async () => {
    const t = makeContext();
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    const pending = handler.authenticate(REQUEST, t.ctx);
    t.stdin.write('ab');
    t.stdin.write('cd');
    t.stdin.write('\n');
    assert.equal((await pending).code, 'abcd');
  });

  test('end of input is an AuthFailure that says how to log in instead', async () => {
    const t = makeContext();
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    const pending = handler.authenticate(REQUEST, t.ctx);
    t.stdin.end('\n');
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof AuthFailure);
      assert.ok(!(e instanceof LoginCancelled), 'not a cancellation: there is no one to ask');
      assert.equal(e.code, 'no_input');
      assert.match(e.message, /standard input is closed/);
      assert.match(e.hint ?? '', /interactive terminal/);
      assert.match(e.hint ?? '', /local server|CodeHandler/);
      return true;
    });
  });

  test('a stream that has already ended fails at once', async () => {
    const stdin = new PassThrough();
    stdin.end();
    stdin.resume();
    await new Promise((resolve) => stdin.once('end', resolve));
    const t = makeContext({ stdin });
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    await assert.rejects(handler.authenticate(REQUEST, t.ctx), AuthFailure);
    assert.doesNotMatch(t.stderrText(), /Please paste/);
  });

  test('leaves the stream open and unlistened, so it can be read again', async () => {
    const t = makeContext();
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    const first = handler.authenticate(REQUEST, t.ctx);
    t.stdin.write('one\n');
    assert.equal((await first).code, 'one');
    assert.equal(t.stdin.listenerCount('data'), 0);
    assert.equal(t.stdin.listenerCount('end'), 0);
    assert.equal(t.stdin.destroyed, false);
    const second = handler.authenticate(REQUEST, t.ctx);
    t.stdin.write('two\n');
    assert.equal((await second).code, 'two');
  });

  test('only one wait at a time', async () => {
    const t = makeContext();
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    const first = handler.authenticate(REQUEST, t.ctx);
    await assert.rejects(handler.authenticate(REQUEST, t.ctx), UsageError);
    t.stdin.write('x\n');
    await first;
  });

  test('opens a browser only when allowed', async () => {
    const withDisplay = makeContext({ env: { DISPLAY: ':1' } });
    const handler = new InputCodeHandler();
    await handler.start(withDisplay.ctx);
    withDisplay.stdin.write('c\n');
    await handler.authenticate(REQUEST, withDisplay.ctx);
    if (process.platform === 'linux') {
      // The browser gets the redirect page's file URL, never the authorize URL itself.
      assert.equal(withDisplay.opened.length, 1);
      assert.match(withDisplay.opened[0] ?? '', /^file:\/\//);
      assert.doesNotMatch(withDisplay.opened[0] ?? '', /authorize|s=1/);
    }
    for (const env of [{ DISPLAY: ':1', SSH_TTY: '/dev/pts/1' }, {}]) {
      const t = makeContext({ env, noBrowser: false });
      t.stdin.write('c\n');
      await handler.authenticate(REQUEST, t.ctx);
      if (process.platform === 'linux') assert.deepEqual(t.opened, []);
    }
    const t = makeContext({ env: { DISPLAY: ':1' }, noBrowser: true });
    t.stdin.write('c\n');
    await handler.authenticate(REQUEST, t.ctx);
    assert.deepEqual(t.opened, []);
  });
});

describe('InputCodeHandler: the redirect page given to the browser', { timeout: 20_000 }, () => {
  const AUTHORIZE =
    'https://auth.example.org/v2/oauth2/authorize?client_id=c&state=St4te&code_challenge=Ch4ll&scope=a+b&x=<"\'>';

  /** A context whose opener records the URL, with a browser allowed (a custom opener). */
  function browserContext(overrides: Parameters<typeof makeContext>[0] = {}) {
    return makeContext({ customOpener: true, ...overrides });
  }

  /** Waits for the opener to be called (it runs on a later tick than authenticate). */
  async function openedUrl(opened: string[]): Promise<string> {
    for (let i = 0; i < 200 && opened.length === 0; i += 1) await delay(10);
    const url = opened[0];
    assert.ok(url !== undefined, 'the browser was never opened');
    return url;
  }

  test('a 0600 page in a 0700 folder while waiting, escaped, gone after a paste', async () => {
    const t = browserContext();
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    const pending = handler.authenticate({ authorizeUrl: AUTHORIZE, state: 'St4te' }, t.ctx);
    const url = await openedUrl(t.opened);
    assert.match(url, /^file:\/\//);
    for (const secret of ['St4te', 'Ch4ll', 'authorize']) assert.ok(!url.includes(secret));
    const file = fileURLToPath(url);
    if (process.platform !== 'win32') {
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal((await stat(dirname(file))).mode & 0o777, 0o700);
    }
    const page = await readFile(file, 'utf8');
    const escaped = AUTHORIZE.replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&#39;');
    assert.ok(page.includes(`<meta http-equiv="refresh" content="0; url=${escaped}">`));
    assert.ok(page.includes(`<a href="${escaped}"`));
    assert.match(page, /content="no-referrer"/);
    assert.ok(!page.includes(AUTHORIZE), 'the URL is only there HTML-escaped');
    // The terminal still shows the full URL, to copy by hand.
    assert.ok(t.stderrText().includes(AUTHORIZE));
    t.stdin.write('code\n');
    assert.deepEqual(await pending, { code: 'code' });
    assert.equal(existsSync(file), false);
    assert.equal(existsSync(dirname(file)), false);
  });

  test('the page is removed on stop, abort, timeout and closed input', async () => {
    const endings: Array<
      [string, (t: ReturnType<typeof makeContext>, h: InputCodeHandler) => void]
    > = [
      ['stop', (_t, h) => void h.stop()],
      ['abort', (t) => t.controller.abort()],
      ['closed input', (t) => t.stdin.end()],
    ];
    for (const [name, end] of endings) {
      const t = browserContext();
      const handler = new InputCodeHandler();
      await handler.start(t.ctx);
      const pending = handler.authenticate({ authorizeUrl: AUTHORIZE, state: 's' }, t.ctx);
      const file = fileURLToPath(await openedUrl(t.opened));
      assert.equal(existsSync(file), true, name);
      end(t, handler);
      await assert.rejects(pending, name === 'closed input' ? AuthFailure : LoginCancelled);
      assert.equal(existsSync(dirname(file)), false, name);
    }
    const t = browserContext({ timeoutMs: 200 });
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    const pending = handler.authenticate({ authorizeUrl: AUTHORIZE, state: 's' }, t.ctx);
    const file = fileURLToPath(await openedUrl(t.opened));
    await assert.rejects(pending, /timed out/);
    assert.equal(existsSync(dirname(file)), false);
  });

  test('stop() or a second call while the page is being written', async () => {
    const t = browserContext();
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    const pending = handler.authenticate({ authorizeUrl: AUTHORIZE, state: 's' }, t.ctx);
    await assert.rejects(
      handler.authenticate({ authorizeUrl: AUTHORIZE, state: 's' }, t.ctx),
      UsageError,
    );
    await handler.stop();
    await assert.rejects(pending, LoginCancelled);
    assert.deepEqual(t.opened, [], 'no browser once stopped');
  });

  test('no page is written when no browser is opened', async () => {
    const t = makeContext({ noBrowser: true, customOpener: true });
    const handler = new InputCodeHandler();
    await handler.start(t.ctx);
    t.stdin.write('c\n');
    await handler.authenticate({ authorizeUrl: AUTHORIZE, state: 's' }, t.ctx);
    assert.deepEqual(t.opened, []);
  });
});
