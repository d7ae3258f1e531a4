import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { InputCodeHandler } from '../../src/code-handlers/input-code-handler.js';
import { LocalServerCodeHandler } from '../../src/code-handlers/local-server-code-handler.js';
import { AuthFailure, LocalServerError, LoginCancelled } from '../../src/errors.js';
import { type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { authorizeUrlOf } from '../helpers/start-link.js';

const AUTH = 'auth.globus.org';
let s: ClientSetup | undefined;
afterEach(async () => {
  await s?.cleanup();
  s = undefined;
});

/** Fetches the emulator's auth-code page for this URL and returns the code it shows. */
async function codeFromHelperPage(authorizeUrl: string): Promise<string> {
  let url = authorizeUrl;
  for (let hop = 0; hop < 5; hop += 1) {
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    const body = await response.text();
    if (location) {
      url = new URL(location, url).toString();
      continue;
    }
    const match = /<code[^>]*\bid="auth-code"[^>]*>([^<]+)<\/code>/.exec(body);
    if (match?.[1]) return match[1];
    throw new Error(`no code on ${url}`);
  }
  throw new Error('too many redirects');
}

describe('login() through the local server', () => {
  test('the real consent page, Allow → tokens; the authorize URL carries what was asked', async () => {
    s = await setupClient({ emulator: { autoApprove: false } });
    const tokens = await s.client.login({
      refreshTokens: true,
      queryParams: { session_required_mfa: true, session_message: 'Please <b>MFA</b>' },
    });
    assert.ok(tokens[AUTH]?.refresh_token);
    assert.ok(s.browser.visits.some((url) => url.includes('/v2/oauth2/authorize')));
    assert.match(s.browser.lastPage(), /Test App|success|logged in/i);
    const request = s.emulator.lastAuthorizeRequest();
    assert.equal(request?.['code_challenge_method'], 'S256');
    assert.equal(request?.['access_type'], 'offline');
    assert.match(request?.['prefill_named_grant'] ?? '', /^Test App on /);
    assert.equal(request?.['session_message'], 'Please <b>MFA</b>');
    assert.match(s.messages(), /v2\/oauth2\/authorize\?/, 'the URL is always printed');
  });

  test('Decline → LocalServerError with the OAuth error and description', async () => {
    s = await setupClient({ emulator: { autoApprove: false }, decision: 'decline' });
    await assert.rejects(s.client.login(), (error: unknown) => {
      assert.ok(error instanceof LocalServerError);
      assert.equal(error.error, 'access_denied');
      assert.ok(error.errorDescription);
      return true;
    });
  });

  test('forged requests to the local server do not end the wait', async () => {
    s = await setupClient();
    const setup = s;
    const client = setup.makeClient({
      openBrowser: async (link) => {
        const url = await authorizeUrlOf(link);
        const redirect = new URL(new URL(url).searchParams.get('redirect_uri') ?? '');
        const forged = [
          `${redirect.origin}/?code=forged&state=wrong`,
          `${redirect.origin}/?code=forged`,
          `${redirect.origin}/favicon.ico`,
        ];
        for (const target of forged) {
          const response = await fetch(target);
          assert.ok(
            response.status >= 400 && response.status < 500,
            `${target} → ${response.status}`,
          );
          await response.text();
        }
        const post = await fetch(redirect, { method: 'POST', body: 'code=x' });
        assert.ok(post.status >= 400);
        await post.text();
        await setup.browser.openBrowser(url);
      },
    });
    const tokens = await client.login();
    assert.ok(tokens[AUTH]);
  });

  test('a timeout ends the wait with LoginCancelled and releases the port', async () => {
    s = await setupClient();
    const client = s.makeClient({
      openBrowser: () => undefined,
      codeHandlers: [new LocalServerCodeHandler()],
    });
    await assert.rejects(client.login({ timeoutMs: 200 }), LoginCancelled);
  });

  test('an AbortSignal cancels the login', async () => {
    s = await setupClient();
    const client = s.makeClient({ openBrowser: () => undefined });
    await assert.rejects(client.login({ signal: AbortSignal.timeout(150) }), LoginCancelled);
  });

  test('Ctrl-C while waiting skips to pasting a code and stops opening browsers', async () => {
    s = await setupClient();
    const setup = s;
    const opened: string[] = [];
    const client = setup.makeClient({
      openBrowser: (url) => {
        opened.push(url);
        // The person gives up on the browser: Ctrl-C, then pastes a code from the helper page.
        setTimeout(() => setup.interrupts.emit('SIGINT'), 50);
      },
    });
    const pasting = (async () => {
      while (!/paste your auth code/.test(setup.messages())) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const urls =
        setup.messages().match(/http:\/\/127\.0\.0\.1:\d+\/v2\/oauth2\/authorize\?\S+/g) ?? [];
      const code = await codeFromHelperPage(urls.at(-1) ?? '');
      setup.stdin.write(`${code}\n`);
    })();
    const tokens = await client.login();
    await pasting;
    assert.ok(tokens[AUTH]);
    assert.equal(opened.length, 1, 'no browser opened after Ctrl-C');
    assert.match(setup.messages(), /Skipped/);
  });
});

describe('login() by pasting a code', () => {
  test('the paste flow with the emulator auth-code page', async () => {
    s = await setupClient();
    const setup = s;
    const client = setup.makeClient({
      codeHandlers: [new InputCodeHandler()],
      openBrowser: async (page) => {
        // The browser gets a private redirect page, never the authorize URL (argv is public).
        assert.match(page, /^file:/);
        const url = await authorizeUrlOf(page);
        assert.match(url, /redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fv2%2Fweb%2Fauth-code/);
        setup.stdin.write('\n'); // an empty line asks again
        setup.stdin.write(`  ${await codeFromHelperPage(url)}  \n`);
      },
    });
    const tokens = await client.login();
    assert.ok(tokens[AUTH]);
    assert.equal(setup.messages().match(/Please paste your auth code below:/g)?.length, 2);
  });

  test('noLocalServer skips the local server', async () => {
    s = await setupClient();
    const setup = s;
    const client = setup.makeClient({
      openBrowser: async (page) => {
        setup.stdin.write(`${await codeFromHelperPage(await authorizeUrlOf(page))}\n`);
      },
    });
    assert.ok((await client.login({ noLocalServer: true }))[AUTH]);
  });

  test('an SSH session falls back to pasting', async () => {
    s = await setupClient();
    const setup = s;
    const opened: string[] = [];
    const client = setup.makeClient({
      env: { SSH_CONNECTION: '10.0.0.1 5000 10.0.0.2 22', DISPLAY: ':0' },
      // An opener passed in is still used over SSH (it knows where the URL goes), but the
      // URL it gets is the paste flow's: a loopback redirect could not reach this machine.
      openBrowser: (url) => {
        opened.push(url);
      },
    });
    const pasting = (async () => {
      while (!/paste your auth code/.test(setup.messages())) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const url = /http:\/\/127\.0\.0\.1:\d+\/v2\/oauth2\/authorize\?\S+/.exec(setup.messages());
      setup.stdin.write(`${await codeFromHelperPage(url?.[0] ?? '')}\n`);
    })();
    assert.ok((await client.login())[AUTH]);
    await pasting;
    assert.equal(opened.length, 1);
    // The page is removed once the attempt ends; what it pointed to was printed too.
    assert.match(opened[0] ?? '', /^file:/);
    assert.match(setup.messages(), /redirect_uri=[^&\s]*%2Fv2%2Fweb%2Fauth-code/);
  });

  test('closed stdin → AuthFailure saying how to log in instead', async () => {
    s = await setupClient();
    s.stdin.end();
    const client = s.makeClient({ codeHandlers: [new InputCodeHandler()] });
    await assert.rejects(client.login(), AuthFailure);
  });
});

describe('login() edge cases', () => {
  test('a taken port falls back to pasting a code, saying why', async () => {
    s = await setupClient();
    const setup = s;
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const client = setup.makeClient({
        codeHandlers: [new LocalServerCodeHandler({ port }), new InputCodeHandler()],
        openBrowser: async (page) => {
          setup.stdin.write(`${await codeFromHelperPage(await authorizeUrlOf(page))}\n`);
        },
      });
      assert.ok((await client.login())[AUTH]);
      assert.match(setup.messages(), new RegExp(`${port}`));
    } finally {
      blocker.close();
    }
  });

  test('no socket or timer is left behind: a login in a child process exits by itself', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/login-child.ts'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, out);
    assert.match(out, /logged in/);
  });
});

describe('deprecated options (as in fair-research-login)', () => {
  test('localServerCodeHandler/secondaryCodeHandler still work, with one warning', async () => {
    s = await setupClient();
    const setup = s;
    const client = setup.makeClient({
      localServerCodeHandler: new LocalServerCodeHandler(),
      secondaryCodeHandler: new InputCodeHandler(),
    });
    assert.equal(client.codeHandlers.length, 2);
    assert.ok(client.codeHandlers[0] instanceof LocalServerCodeHandler);
    assert.ok(client.codeHandlers[1] instanceof InputCodeHandler);
    assert.equal(setup.messages().match(/deprecated/g)?.length, 1);
    assert.ok((await client.login())[AUTH]);
  });

  test('additionalParams is an alias of queryParams that warns once per client', async () => {
    s = await setupClient();
    const client = s.makeClient();
    await client.login({ force: true, additionalParams: { session_message: 'hello' } });
    assert.equal(s.emulator.lastAuthorizeRequest()?.['session_message'], 'hello');
    await client.login({ force: true, additionalParams: { session_message: 'again' } });
    assert.equal(s.messages().match(/additionalParams.*deprecated/g)?.length, 1);
  });
});
