/**
 * `native-login demo` (what `npm start` runs): exits 0, narrates every step, and leaves nothing
 * behind: its temporary folder is gone, HOME is untouched, no process of its group survives.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { baseEnv, type CliResult, REPO, startCli } from '../cli/cli-harness.js';

/** Emulator tokens look like Globus ones: "Ag" and a letter, then many alphanumerics. */
const TOKEN_LIKE = /Ag[A-Za-z][A-Za-z0-9]{30,}/;

function groupIsGone(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function waitForGroupToEnd(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && !groupIsGone(pid); i += 1) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return groupIsGone(pid);
}

/** What is left in TMPDIR, except tsx's compile cache (tsx-<uid>), which is not the demo's. */
async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !name.startsWith('tsx-'));
}

function checkDemoOutput(result: CliResult): void {
  assert.equal(result.code, 0, result.stderr);
  for (const step of ['login', 'status', 'token', 'authorizer', 'expired', 'logout']) {
    assert.match(result.stderr, new RegExp(`\\d\\. [^\\n]*${step}`, 'i'));
  }
  assert.match(result.stderr, /refreshed it \(1 refresh request/);
  assert.match(result.stderr, /Revoked 4 tokens/);
  // The GARE chapter: refused with a requirement, a login meets it, the call succeeds.
  assert.match(result.stderr, /answered 403 AuthorizationRequired[\s\S]*MFA/);
  assert.match(result.stderr, /session_required_mfa=true/);
  assert.match(result.stderr, /The same call now answers 200/);
  assert.match(result.stdout, /"name": "Ada Lovelace"/);
  assert.match(result.stdout, /expired 1d ago\s+yes/);
  assert.doesNotMatch(`${result.stdout}${result.stderr}`, TOKEN_LIKE);
}

describe('native-login demo', () => {
  let home: string;
  let temp: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'native-login-demo-home-'));
    temp = await mkdtemp(join(tmpdir(), 'native-login-demo-tmp-'));
    // TMPDIR is where the demo makes its folder: an empty one shows it removed it.
    env = baseEnv(home, { TMPDIR: temp, NATIVE_LOGIN_CLIENT_ID: 'not-used-by-the-demo' });
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(temp, { recursive: true, force: true });
  });

  test('runs the whole story and leaves nothing behind', async () => {
    const run = startCli(['demo'], env, { input: '', detached: true });
    const result = await run.done;
    checkDemoOutput(result);
    assert.ok(await waitForGroupToEnd(run.child.pid as number), 'a process of the demo survived');
    // tsx keeps its compile cache in TMPDIR too (tsx-<uid>); that one is not the demo's.
    assert.deepEqual(
      (await readdir(temp)).filter((name) => !name.startsWith('tsx-')),
      [],
    );
    assert.deepEqual(await readdir(home), []);
  });

  test('npm start (the built demo) does the same', {
    skip: existsSync(join(REPO, 'dist/cli/main.js')) ? false : 'no build (run npm run build)',
  }, async () => {
    // --ignore-scripts skips prestart (the build): this runs the build that exists. npm's own
    // cache and logs go to a folder of their own, so HOME shows only what the demo did.
    const npmCache = await mkdtemp(join(tmpdir(), 'native-login-demo-npm-'));
    try {
      await runNpmStart(npmCache);
    } finally {
      await rm(npmCache, { recursive: true, force: true });
    }
  });

  async function runNpmStart(npmCache: string): Promise<void> {
    const child = spawn('npm', ['start', '--silent', '--ignore-scripts'], {
      cwd: REPO,
      env: { ...env, npm_config_update_notifier: 'false', npm_config_cache: npmCache },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    checkDemoOutput({ code, stdout, stderr });
    assert.ok(await waitForGroupToEnd(child.pid as number), 'a process of npm start survived');
    assert.deepEqual(await leftovers(temp), []);
    assert.deepEqual(await readdir(home), []);
  }
});
