/**
 * `native-login login --gare` and the session flags, and `token -s root[*dependent]`, as child
 * processes against the emulator's protected resource.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { baseEnv, runCli, TEST_CLIENT_ID, writeBrowserScript } from '../cli/cli-harness.js';

const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const COLLECTION =
  'https://auth.globus.org/scopes/6b9a3c5e-1f2d-4e8a-9b7c-0d1e2f3a4b5c/data_access';
const DEPENDENT = `${TRANSFER}[*${COLLECTION}]`;
const LOGIN = ['login', '-s', 'openid', '-s', 'profile', '-s', 'email', '-s', TRANSFER];

describe('native-login login --gare against the emulator', () => {
  let emulator: Emulator;
  let home: string;
  let work: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    emulator = await startEmulator({
      autoApprove: true,
      resourcePolicy: { requiredScopes: [DEPENDENT], mfaWithinSeconds: 600 },
    });
    home = await mkdtemp(join(tmpdir(), 'native-login-gare-home-'));
    work = await mkdtemp(join(tmpdir(), 'native-login-gare-work-'));
    env = baseEnv(home, {
      GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
      NATIVE_LOGIN_CLIENT_ID: TEST_CLIENT_ID,
      BROWSER: await writeBrowserScript(work),
    });
  });

  after(async () => {
    await emulator.close();
    await rm(home, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  async function callResource(): Promise<Response> {
    const token = await runCli(['token', '-r', 'transfer.api.globus.org'], env);
    assert.equal(token.code, 0, token.stderr);
    return fetch(`${emulator.url}resource/ls`, {
      headers: { authorization: `Bearer ${token.stdout.trim()}` },
    });
  }

  test('the error body from the service drives the login; then the call succeeds', async () => {
    const first = await runCli(LOGIN, env);
    assert.equal(first.code, 0, first.stderr);
    const refused = await callResource();
    assert.equal(refused.status, 403);
    const body = await refused.text();
    // token -s with the dependent scope knows the stored tokens do not meet it: exit 3.
    const dependentToken = await runCli(['token', '-s', DEPENDENT], env);
    assert.equal(dependentToken.code, 3, dependentToken.stderr);
    assert.equal(dependentToken.stdout, '');
    assert.match(dependentToken.stderr, /data_access/);
    const whoami = await runCli(['whoami', '-s', DEPENDENT], env);
    assert.equal(whoami.code, 3, whoami.stderr);
    assert.match(whoami.stderr, /data_access/);
    // Piped on stdin, the way `curl … | native-login login --gare -` would.
    const login = await runCli([...LOGIN, '--gare', '-'], env, body);
    assert.equal(login.code, 0, login.stderr);
    const sent = emulator.lastAuthorizeRequest();
    assert.equal(sent?.['session_required_mfa'], 'true');
    assert.ok(sent?.['scope']?.split(' ').includes(DEPENDENT), sent?.['scope']);
    assert.equal((await callResource()).status, 200);
    const again = await runCli(['token', '-s', DEPENDENT], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^AgX\w+\n$/);
    const who = await runCli(['whoami', '-s', DEPENDENT], env);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /Ada Lovelace/);
  });

  test('--gare FILE and the session flags; flags win over the file', async () => {
    const file = join(work, 'error.json');
    await writeFile(
      file,
      JSON.stringify({
        errors: [
          {
            code: 'AuthorizationRequired',
            authorization_parameters: {
              session_required_single_domain: ['uni.example'],
              session_message: 'from the file',
            },
          },
        ],
      }),
    );
    const result = await runCli(
      [
        ...LOGIN,
        '--gare',
        file,
        '--session-message',
        'from the flag',
        '--session-required-identity',
        'id-1',
        '--session-required-identity',
        'id-2',
        '--session-required-policy',
        'p-1',
        '--prompt',
        'login',
      ],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    const sent = emulator.lastAuthorizeRequest();
    assert.equal(sent?.['session_required_single_domain'], 'uni.example');
    assert.equal(sent?.['session_message'], 'from the flag');
    assert.equal(sent?.['session_required_identities'], 'id-1,id-2');
    assert.equal(sent?.['session_required_policies'], 'p-1');
    assert.equal(sent?.['prompt'], 'login');
  });

  test('the person declines: exit 4, nothing new saved; no browser and no terminal: the URL, then a timeout', async () => {
    const file = join(work, 'mfa.json');
    await writeFile(
      file,
      JSON.stringify({ authorization_parameters: { session_required_mfa: true } }),
    );
    const before = emulator.counters().token.authorization_code;
    emulator.setAutoApprove('decline');
    try {
      const declined = await runCli([...LOGIN, '--gare', file], env);
      assert.equal(declined.code, 4, declined.stderr);
      assert.match(declined.stderr, /access_denied/);
    } finally {
      emulator.setAutoApprove(true);
    }
    const { BROWSER: _none, ...noBrowser } = env;
    const nobody = await runCli([...LOGIN, '--gare', file, '--timeout', '1'], noBrowser);
    // A login that timed out exits 124 (130 is Ctrl-C).
    assert.equal(nobody.code, 124, nobody.stderr);
    assert.match(nobody.stderr, /session_required_mfa=true/);
    assert.equal(emulator.counters().token.authorization_code, before);
  });

  test('a body without a GARE, or a bad --prompt, is a usage error (exit 2)', async () => {
    const file = join(work, 'plain.json');
    await writeFile(file, JSON.stringify({ code: 'PermissionDenied', message: 'no' }));
    const noGare = await runCli(['login', '--gare', file], env);
    assert.equal(noGare.code, 2);
    assert.match(noGare.stderr, /no Globus Auth requirements/);
    const badPrompt = await runCli(['login', '--prompt', 'consent'], env);
    assert.equal(badPrompt.code, 2);
    const missing = await runCli(['login', '--gare', join(work, 'absent.json')], env);
    assert.equal(missing.code, 2);
  });
});
