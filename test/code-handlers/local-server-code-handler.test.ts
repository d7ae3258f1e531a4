/** LocalServerCodeHandler against real sockets: what ends the wait, what is turned away, cleanup. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { describe, test } from 'node:test';
import { LocalServerCodeHandler } from '../../src/code-handlers/local-server-code-handler.js';
import { LocalServerError, UsageError } from '../../src/errors.js';
import {
  httpRequest,
  makeContext,
  portOf,
  rawExchange,
  tryConnect,
} from './helpers/handler-context.js';

const STATE = 'state-abc-123';
const AUTHORIZE_URL =
  'https://auth.example.org/v2/oauth2/authorize?client_id=x&state=state-abc-123';

/** Starts a handler and its wait; `run` gets both, and everything is stopped afterwards. */
async function withWaitingHandler(
  options: ConstructorParameters<typeof LocalServerCodeHandler>[0],
  contextOverrides: Parameters<typeof makeContext>[0],
  run: (
    handler: LocalServerCodeHandler,
    pending: ReturnType<LocalServerCodeHandler['authenticate']>,
    t: ReturnType<typeof makeContext>,
  ) => Promise<void>,
): Promise<void> {
  const t = makeContext(contextOverrides);
  const handler = new LocalServerCodeHandler(options);
  await handler.start(t.ctx);
  const pending = handler.authenticate({ authorizeUrl: AUTHORIZE_URL, state: STATE }, t.ctx);
  // Keep an early rejection from being reported as unhandled before `run` looks at it.
  pending.catch(() => undefined);
  try {
    await run(handler, pending, t);
  } finally {
    await handler.stop();
  }
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), 'waited too long');
}

describe('LocalServerCodeHandler', { timeout: 20_000 }, () => {
  test('listens on 127.0.0.1 only, on a system-chosen port', async () => {
    const t = makeContext();
    const handler = new LocalServerCodeHandler();
    await handler.start(t.ctx);
    try {
      const address = handler.listeningAddress;
      assert.ok(address);
      assert.equal(address.address, '127.0.0.1');
      assert.equal(address.family, 'IPv4');
      assert.equal(handler.redirectUri, `http://127.0.0.1:${address.port}/`);
    } finally {
      await handler.stop();
    }
    assert.equal(handler.listeningAddress, null);
  });

  test('refuses non-loopback hostnames and bad options', () => {
    for (const hostname of ['0.0.0.0', '192.168.1.10', 'example.org', '::']) {
      assert.throws(() => new LocalServerCodeHandler({ hostname }), UsageError, hostname);
    }
    assert.throws(() => new LocalServerCodeHandler({ port: 70000 }), UsageError);
    assert.throws(() => new LocalServerCodeHandler({ port: 1.5 }), UsageError);
    assert.throws(() => new LocalServerCodeHandler({ redirectPath: 'callback' }), UsageError);
    assert.throws(() => new LocalServerCodeHandler({ redirectPath: '/a?b' }), UsageError);
    assert.throws(() => new LocalServerCodeHandler({ template: '<p>$nope</p>' }), UsageError);
    assert.throws(() => new LocalServerCodeHandler({ template: '<p>costs $5</p>' }), UsageError);
  });

  test('redirectUri is unavailable before start', () => {
    assert.throws(() => new LocalServerCodeHandler().redirectUri, UsageError);
  });

  // RFC 8252 §8.3: a browser may try [::1] first for "localhost" and reach a port another
  // local user bound there, so the redirect URI names the address the server listens on.
  test('"localhost" listens on 127.0.0.1 and names 127.0.0.1 in the redirect URI', async () => {
    const t = makeContext();
    const handler = new LocalServerCodeHandler({
      hostname: 'localhost',
      redirectPath: '/callback',
    });
    await handler.start(t.ctx);
    try {
      assert.equal(handler.listeningAddress?.address, '127.0.0.1');
      assert.match(handler.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    } finally {
      await handler.stop();
    }
  });

  test('a taken fixed port is a LocalServerError that says what to do', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    try {
      const handler = new LocalServerCodeHandler({ port });
      await assert.rejects(handler.start(makeContext().ctx), (e: unknown) => {
        assert.ok(e instanceof LocalServerError);
        assert.match(e.message, new RegExp(`Port ${port} .*already in use`));
        assert.match(e.hint ?? '', /port 0/);
        assert.match(e.hint ?? '', /--no-local-server/);
        return true;
      });
      await handler.stop();
    } finally {
      blocker.close();
    }
  });

  test('a free fixed port and a custom redirect path are used as given', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    await withWaitingHandler({ port, redirectPath: '/callback' }, {}, async (handler, pending) => {
      assert.equal(handler.redirectUri, `http://127.0.0.1:${port}/callback`);
      assert.equal(
        (await httpRequest(`http://127.0.0.1:${port}/?code=c&state=${STATE}`)).status,
        404,
      );
      const answer = await httpRequest(`${handler.redirectUri}?code=c&state=${STATE}`);
      assert.equal(answer.status, 200);
      assert.deepEqual(await pending, { code: 'c' });
    });
  });

  test('the right state resolves with code and iss; the page and its headers are safe', async () => {
    await withWaitingHandler({}, {}, async (handler, pending) => {
      const iss = encodeURIComponent('https://auth.example.org');
      const answer = await httpRequest(
        `${handler.redirectUri}?code=Abc123&state=${STATE}&iss=${iss}`,
      );
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['connection'], 'close');
      assert.equal(answer.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(
        answer.headers['content-security-policy'] ?? '',
        /^default-src 'none'; style-src 'unsafe-inline'/,
      );
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['cache-control'], 'no-store');
      assert.equal(answer.headers['referrer-policy'], 'no-referrer');
      assert.match(answer.body, /Login successful/);
      assert.match(answer.body, /close this window/);
      assert.match(answer.body, /Test App/);
      assert.doesNotMatch(answer.body, /Abc123/, 'the code is never echoed');
      assert.doesNotMatch(answer.body, /<script|src=|href=/i, 'no script, no external resource');
      assert.deepEqual(await pending, { code: 'Abc123', iss: 'https://auth.example.org' });
      assert.equal(await tryConnect(portOf(handler.redirectUri)), 'ECONNREFUSED');
    });
  });

  test('junk, wrong state, other paths and methods are turned away and the wait goes on', async () => {
    await withWaitingHandler({}, {}, async (handler, pending) => {
      let settled = false;
      void pending.finally(() => {
        settled = true;
      });
      const port = portOf(handler.redirectUri);
      const base = handler.redirectUri;
      // A slow, half-open client: half a request line, then nothing.
      const slow = connect({ port, host: '127.0.0.1' });
      slow.on('error', () => undefined);
      await once(slow, 'connect');
      slow.write('GET /?state=');
      const slowClosed = once(slow, 'close');

      const statuses = [
        (await httpRequest(`${base}?code=c&state=wrong`)).status,
        (await httpRequest(`${base}?code=c`)).status,
        (await httpRequest(`${base}?code=c&state=${STATE}&state=${STATE}`)).status,
        (await httpRequest(`${base}?state=${STATE}`)).status,
        (await httpRequest(`${base}favicon.ico`)).status,
        (await httpRequest(`${base}?code=c&state=${STATE}`, 'POST')).status,
        (await httpRequest(`${base}?code=c&state=${STATE}`, 'HEAD')).status,
      ];
      assert.deepEqual(statuses, [400, 400, 400, 400, 404, 405, 405]);
      const post = await httpRequest(`${base}?code=c&state=${STATE}`, 'POST');
      assert.equal(post.headers['allow'], 'GET');
      assert.match(post.headers['content-security-policy'] ?? '', /default-src 'none'/);

      const junk = await rawExchange(port, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]));
      assert.match(junk, /^HTTP\/1\.1 400 /);
      const huge = await rawExchange(
        port,
        `GET /?state=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      );
      assert.match(huge, /^HTTP\/1\.1 431 /);
      const absolute = await rawExchange(
        port,
        `GET http://evil.example/?code=c&state=${STATE} HTTP/1.1\r\nHost: x\r\n\r\n`,
      );
      assert.match(absolute, /^HTTP\/1\.1 400 /);

      assert.equal(settled, false, 'none of those ended the wait');
      const answer = await httpRequest(`${base}?code=real&state=${STATE}`);
      assert.equal(answer.status, 200);
      assert.deepEqual(await pending, { code: 'real' });
      await slowClosed; // the half-open connection was destroyed with the server
      assert.equal(await tryConnect(port), 'ECONNREFUSED');
    });
  });

  test('a declined consent is a LocalServerError with both fields; the page escapes them', async () => {
    await withWaitingHandler({}, {}, async (handler, pending) => {
      const description = '<script>alert("x")</script> & you said no';
      const url = `${handler.redirectUri}?error=access_denied&error_description=${encodeURIComponent(description)}&state=${STATE}`;
      const answer = await httpRequest(url);
      assert.equal(answer.status, 200);
      assert.match(answer.body, /Login failed/);
      assert.doesNotMatch(answer.body, /<script>/);
      assert.match(
        answer.body,
        /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; you said no/,
      );
      await assert.rejects(pending, (e: unknown) => {
        assert.ok(e instanceof LocalServerError);
        assert.equal(e.error, 'access_denied');
        assert.equal(e.errorDescription, description);
        assert.equal(e.code, 'local_server_error');
        return true;
      });
      assert.equal(await tryConnect(portOf(handler.redirectUri)), 'ECONNREFUSED');
    });
  });

  test('an error for another state is turned away like any stranger', async () => {
    await withWaitingHandler({}, {}, async (handler, pending) => {
      const other = await httpRequest(`${handler.redirectUri}?error=access_denied&state=other`);
      assert.equal(other.status, 400);
      await httpRequest(`${handler.redirectUri}?code=ok&state=${STATE}`);
      assert.equal((await pending).code, 'ok');
    });
  });

  test('the app name is escaped in the page, from the context or from templateVars', async () => {
    const payload = '<script>alert(1)</script>';
    await withWaitingHandler({}, { appName: payload }, async (handler, pending) => {
      const answer = await httpRequest(`${handler.redirectUri}?code=c&state=${STATE}`);
      assert.doesNotMatch(answer.body, /<script>/);
      assert.match(answer.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      await pending;
    });
    const vars = { defaults: { app_name: payload, post_login_message: '"quoted" <b>' } };
    await withWaitingHandler(
      { templateVars: vars },
      { appName: 'Ignored' },
      async (handler, pending) => {
        const answer = await httpRequest(`${handler.redirectUri}?code=c&state=${STATE}`);
        assert.doesNotMatch(answer.body, /<script>|<b>/);
        assert.doesNotMatch(answer.body, /Ignored/);
        assert.match(answer.body, /&quot;quoted&quot; &lt;b&gt;/);
        await pending;
      },
    );
  });

  test('a custom template (fair-research-login style) is filled per outcome', async () => {
    const template =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Python template syntax, on purpose.
      '<h1>Hello ${app_name}!</h1><p>$login_result. $$0 spent.</p><p>$error</p><p>$post_login_message</p>';
    const templateVars = {
      success: { login_result: 'All good', post_login_message: 'Back to work' },
      error: { login_result: 'Nope' },
    };
    await withWaitingHandler(
      { template, templateVars },
      { appName: 'Mine' },
      async (handler, pending) => {
        const answer = await httpRequest(`${handler.redirectUri}?code=c&state=${STATE}`);
        assert.equal(
          answer.body,
          '<h1>Hello Mine!</h1><p>All good. $0 spent.</p><p></p><p>Back to work</p>',
        );
        await pending;
      },
    );
    // Another instance keeps the defaults: nothing is shared between instances.
    await withWaitingHandler({}, {}, async (handler, pending) => {
      const answer = await httpRequest(`${handler.redirectUri}?code=c&state=${STATE}`);
      assert.doesNotMatch(answer.body, /Back to work|All good/);
      await pending;
    });
  });

  test('prints the URL and what it waits for; no browser without a display', async () => {
    await withWaitingHandler({}, { env: {} }, async (handler, pending, t) => {
      await httpRequest(`${handler.redirectUri}?code=c&state=${STATE}`);
      await pending;
      const text = t.stderrText();
      assert.ok(text.includes(`\n  ${AUTHORIZE_URL}\n`));
      assert.match(
        text,
        /Waiting for you to log in in the browser… \(Ctrl-C to paste a code instead\)/,
      );
      assert.deepEqual(t.opened, [], 'a Linux box without DISPLAY gets no browser');
    });
  });

  test('opens the browser when there is a display, and still prints the URL', async () => {
    const env = { DISPLAY: ':0' };
    await withWaitingHandler({}, { env }, async (handler, pending, t) => {
      await httpRequest(`${handler.redirectUri}?code=c&state=${STATE}`);
      await pending;
      if (process.platform === 'linux') {
        assert.equal(t.opened.length, 1);
        assert.match(t.opened[0] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/start\/[\w-]{32}$/);
      }
      assert.ok(t.stderrText().includes(AUTHORIZE_URL));
    });
    await withWaitingHandler({}, { env, noBrowser: true }, async (handler, pending, t) => {
      await httpRequest(`${handler.redirectUri}?code=c&state=${STATE}`);
      await pending;
      assert.deepEqual(t.opened, [], 'noBrowser wins');
    });
  });

  // Issue 13.1: a browser's argv is readable by every local user (/proc/<pid>/cmdline), so
  // it gets a one-time loopback link carrying no state and no PKCE challenge.
  test('the browser gets a one-time /start/ link; a second opening stops the attempt', async () => {
    const opened: string[] = [];
    const openBrowser = (url: string) => {
      opened.push(url);
    };
    await withWaitingHandler(
      {},
      { env: { DISPLAY: ':0' }, openBrowser },
      async (_h, pending, t) => {
        await waitFor(() => opened.length === 1);
        const link = opened[0] ?? '';
        assert.ok(!link.includes(STATE) && !link.includes('code_challenge'), link);
        const first = await fetch(link, { redirect: 'manual' });
        assert.equal(first.status, 302);
        assert.equal(first.headers.get('location'), AUTHORIZE_URL);
        assert.equal(first.headers.get('cache-control'), 'no-store');
        const guessed = await fetch(`${new URL(link).origin}/start/guess`, { redirect: 'manual' });
        assert.equal(guessed.status, 404);
        const second = await fetch(link, { redirect: 'manual' });
        assert.equal(second.status, 409);
        const error = await pending.then(
          () => assert.fail('the attempt must stop'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof LocalServerError);
        assert.equal(error.code, 'login_link_reused');
        assert.ok(t.stderrText().includes(AUTHORIZE_URL), 'the terminal still shows the URL');
      },
    );
  });

  test('a failing browser opener is reported on stderr and the login still works', async () => {
    const openBrowser = () => Promise.reject(new Error('no browser here'));
    await withWaitingHandler(
      {},
      { env: { DISPLAY: ':0' }, openBrowser },
      async (handler, pending, t) => {
        await httpRequest(`${handler.redirectUri}?code=c&state=${STATE}`);
        assert.equal((await pending).code, 'c');
        assert.match(
          t.stderrText(),
          /Could not open a browser \(no browser here\); open the URL above yourself/,
        );
      },
    );
    const throwing = () => {
      throw new Error('sync failure');
    };
    await withWaitingHandler(
      {},
      { env: { DISPLAY: ':0' }, openBrowser: throwing },
      async (handler, pending, t) => {
        await httpRequest(`${handler.redirectUri}?code=c&state=${STATE}`);
        assert.equal((await pending).code, 'c');
        assert.match(t.stderrText(), /Could not open a browser \(sync failure\)/);
      },
    );
  });

  test('is unavailable in an SSH session', () => {
    const handler = new LocalServerCodeHandler();
    for (const name of ['SSH_TTY', 'SSH_CONNECTION', 'SSH_CLIENT']) {
      const { ctx } = makeContext({ env: { [name]: 'x' } });
      assert.match(handler.unavailableReason(ctx) ?? '', /remote session/);
    }
    assert.equal(handler.unavailableReason(makeContext({ env: {} }).ctx), null);
  });

  test('authenticate before start is an error, not a hang', async () => {
    const t = makeContext();
    await assert.rejects(
      new LocalServerCodeHandler().authenticate(
        { authorizeUrl: AUTHORIZE_URL, state: STATE },
        t.ctx,
      ),
      LocalServerError,
    );
  });
});
