/**
 * A hostile (or broken) auth server: answers the emulator gives, rewritten on the way by the
 * client's injectable fetch. Nothing a server names may break the token maps or skip a check.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startEmulator } from '../../src/emulator/index.js';
import { AuthFailure, InvalidIdToken, LoginException } from '../../src/errors.js';
import { JSONTokenStorage } from '../../src/storage/json-token-storage.js';
import { baseEnv, runCli, TEST_CLIENT_ID, writeBrowserScript } from '../cli/cli-harness.js';
import { type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { rejection } from '../helpers/rejection.js';

type Rewrite = (url: string, body: Record<string, unknown>) => Record<string, unknown>;

/** A fetch that passes every request to the emulator and rewrites JSON answers. */
export function rewritingFetch(rewrite: Rewrite): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    if (!(response.headers.get('content-type') ?? '').includes('json')) return response;
    const body = rewrite(url, (await response.json()) as Record<string, unknown>);
    return new Response(JSON.stringify(body), {
      status: response.status,
      headers: { 'content-type': 'application/json' },
    });
  };
}

async function withClient(rewrite: Rewrite, fn: (s: ClientSetup) => Promise<void>) {
  const s = await setupClient({ client: { fetch: rewritingFetch(rewrite) } });
  try {
    await fn(s);
  } finally {
    await s.cleanup();
  }
}

describe('a hostile auth server', () => {
  test('a resource server named __proto__ is kept like any other, saved and loaded', async () => {
    const protoServer: Rewrite = (url, body) => {
      if (!url.endsWith('/v2/oauth2/token')) return body;
      const others = body['other_tokens'] as Record<string, unknown>[];
      if (others[0]) others[0]['resource_server'] = '__proto__';
      return body;
    };
    await withClient(protoServer, async (s) => {
      // The INI format cannot hold a name with "__" in it: the login fails, it never "succeeds".
      const error = await rejection(s.client.login({ force: true }));
      assert.ok(error instanceof LoginException, String(error));
      assert.match(error.message, /__proto__/);
      const json = s.makeClient({
        tokenStorage: new JSONTokenStorage({ filename: join(s.dir, 't.json') }),
      });
      const tokens = await json.login({ force: true });
      assert.ok(Object.hasOwn(tokens, '__proto__'), 'the login result keeps the group');
      const name = '__proto__';
      assert.equal(tokens[name]?.resource_server, name);
      const loaded = await json.loadTokens();
      assert.ok(Object.hasOwn(loaded, '__proto__'), 'the stored tokens keep the group');
      assert.deepEqual(Object.keys(loaded).sort(), Object.keys(tokens).sort());
      const byScope = await json.loadTokensByScope();
      assert.ok(Object.values(byScope).some((g) => g.resource_server === '__proto__'));
    });
  });

  test('no id_token although openid was asked for: a failed login, tokens revoked', async () => {
    const noIdToken: Rewrite = (url, body) => {
      if (url.endsWith('/v2/oauth2/token')) delete body['id_token'];
      return body;
    };
    await withClient(noIdToken, async (s) => {
      const error = await rejection(s.client.login({ force: true }));
      assert.ok(error instanceof InvalidIdToken, String(error));
      assert.equal(error.code, 'missing_id_token');
      assert.match(error.message, /no id_token/);
      assert.ok(s.emulator.counters().revoke >= 2, 'the tokens were revoked');
      assert.deepEqual(await readdir(s.dir), [], 'nothing was saved');
    });
  });

  test('a redirect with escape sequences in iss: the error message is printable', async () => {
    const s = await setupClient();
    try {
      // A hostile page redirecting to our loopback server with the right state and a crafted iss.
      const openBrowser = async (link: string) => {
        const start = await fetch(link, { redirect: 'manual' }); // the one-time /start/ link
        const authorize = new URL(start.headers.get('location') ?? '');
        const back = new URL(authorize.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', 'fake-code');
        back.searchParams.set('state', authorize.searchParams.get('state') ?? '');
        back.searchParams.set('iss', 'https://evil\u001b[2J\u001b[HPassword: ');
        await fetch(back);
      };
      const client = s.makeClient({ openBrowser });
      const error = await rejection(client.login({ force: true, timeoutMs: 5_000 }));
      assert.ok(error instanceof AuthFailure, String(error));
      assert.equal(error.code, 'issuer_mismatch');
      assert.doesNotMatch(error.message, /\p{Cc}/u);
      assert.match(error.message, /evil \[2J \[HPassword:/);
    } finally {
      await s.cleanup();
    }
  });

  test('whoami --json: terminal controls in the userinfo come out as JSON escapes', async () => {
    // DEL, C1 CSI (a colour change on some terminals), a bidi override, a line separator.
    const name = 'Ann\u007f\u009b31m\u202eevil\u2028end';
    const emulator = await startEmulator({ port: 0, autoApprove: true, identity: { name } });
    const home = await mkdtemp(join(tmpdir(), 'native-login-hostile-name-'));
    try {
      const env = baseEnv(home, {
        GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
        NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
        BROWSER: await writeBrowserScript(home),
      });
      const login = await runCli(['login'], env);
      assert.equal(login.code, 0, login.stderr);
      const json = await runCli(['whoami', '--json'], env);
      assert.equal(json.code, 0, json.stderr);
      assert.doesNotMatch(json.stdout, /[\u007f-\u009f\u202e\u2028]/);
      assert.match(json.stdout, /Ann\\u007f\\u009b31m\\u202eevil\\u2028end/);
      assert.equal(JSON.parse(json.stdout).name, name);
    } finally {
      await emulator.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
