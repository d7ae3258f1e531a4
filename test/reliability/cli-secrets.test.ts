/**
 * Secrets in command-line output: `native-login` is run on its success and failure paths
 * (status, whoami, token, a refresh that gets a 500 or invalid_grant, a damaged file, debug
 * output with stack traces and causes, logout). Only `token`'s stdout may hold a token;
 * everything else it prints is scanned for every token the emulator issued.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { CLIENT_ID, type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { childEnv, startCli } from './children.js';
import { SecretScan } from './secret-scan.js';

const AUTH = 'auth.globus.org';
const scan = new SecretScan();
const runs: string[] = [];
let s: ClientSetup;

before(async () => {
  s = await setupClient({ client: { fetch: scan.tapFetch() } });
  scan.addGroups(await s.client.login({ refreshTokens: true }));
});
after(async () => {
  await s.cleanup();
});

/** Runs the CLI, keeps what it printed (stdout too, unless it is `token` succeeding). */
async function cli(args: string[], extra: Record<string, string> = {}) {
  const env = childEnv(s.dir, {
    NATIVE_LOGIN_STORAGE: s.tokenFile,
    GLOBUS_SDK_SERVICE_URL_AUTH: s.emulator.url,
    ...extra,
  });
  const child = startCli(['--client-id', CLIENT_ID, ...args], env);
  const end = await child.ended;
  const label = `native-login ${args.join(' ')}${extra['NATIVE_LOGIN_DEBUG'] ? ' (debug)' : ''}`;
  scan.capture(`${label}: stderr`, child.stderr());
  if (args[0] === 'token' && end.code === 0) scan.addToken(child.stdout().trim());
  else scan.capture(`${label}: stdout`, child.stdout());
  await scan.addFromFolder(s.dir);
  runs.push(`${label} → exit ${end.code}`);
  return { code: end.code, stdout: child.stdout(), stderr: child.stderr() };
}

async function expireAuth(): Promise<void> {
  const stored = await s.client.tokenStorage!.readTokens();
  const past = Math.floor(Date.now() / 1000) - 3600;
  await s.client.saveTokens({ [AUTH]: { ...stored[AUTH]!, expires_at_seconds: past } });
}

test('native-login prints no token except on token’s stdout, on success and failure paths', async (t) => {
  assert.equal((await cli(['status'])).code, 0);
  assert.equal((await cli(['status', '--json'])).code, 0);
  assert.equal((await cli(['whoami'])).code, 0);
  assert.equal((await cli(['whoami', '--json'])).code, 0);
  assert.equal((await cli(['token', '-r', AUTH])).code, 0);

  await expireAuth();
  s.emulator.injectFault('500', 1);
  assert.equal((await cli(['token', '-r', AUTH])).code, 4);
  s.emulator.injectFault('500', 1);
  assert.equal((await cli(['token', '-r', AUTH], { NATIVE_LOGIN_DEBUG: '1' })).code, 4);
  s.emulator.injectFault({ kind: 'malformed_json' }, 1);
  assert.equal((await cli(['token', '-r', AUTH], { NATIVE_LOGIN_DEBUG: '1' })).code, 4);
  s.emulator.injectFault({ kind: 'invalid_grant', status: 400 }, 1);
  assert.equal((await cli(['token', '-r', AUTH], { NATIVE_LOGIN_DEBUG: '1' })).code, 3);

  const good = await readFile(s.tokenFile);
  const text = good.toString('utf8');
  // Cut inside the first refresh token value: the file is damaged and full of tokens.
  const cut = text.indexOf('__refresh_token = ') + '__refresh_token = '.length + 10;
  await writeFile(s.tokenFile, text.slice(0, cut));
  assert.equal((await cli(['token', '-r', AUTH], { NATIVE_LOGIN_DEBUG: '1' })).code, 5);
  assert.equal((await cli(['status'], { NATIVE_LOGIN_DEBUG: '1' })).code, 5);
  await writeFile(s.tokenFile, good);

  s.emulator.injectFault('500', 1);
  assert.equal((await cli(['token', '-r', AUTH])).code, 4);
  assert.equal((await cli(['logout'])).code, 0);
  for (const run of runs) t.diagnostic(`cli: ${run}`);
});

scan.checkAtEnd(async () => {
  await scan.addFromFolder(s.dir);
  scan.capture('client stderr', s.messages());
});
