/**
 * KeyringTokenStorage against a real Secret Service: each scenario runs as a child process
 * inside its own `dbus-run-session` with gnome-keyring (test/helpers/secret-service.ts); the
 * files under keyring/ hold the scenarios. Skipped, with the reason printed, only where
 * gnome-keyring or D-Bus is missing (CI installs them).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInSecretService, secretServiceMissing } from '../../helpers/secret-service.js';

const missing = process.platform === 'linux' ? secretServiceMissing() : 'Linux only';
if (missing) console.log(`# keychain tests skipped: ${missing}`);

/** Runs `keyring/<name>` with node's test runner inside a fresh session and checks it passed. */
async function inside(
  t: { diagnostic: (m: string) => void },
  name: string,
  unansweredPrompt = false,
  env: Record<string, string> = {},
) {
  const result = await runInSecretService(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', `test/storage/keyring/${name}`],
    { unansweredPrompt, env },
  );
  for (const line of result.stdout.split('\n')) if (line.trim()) t.diagnostic(line);
  assert.equal(
    result.code,
    0,
    `${name} passed inside the session:\n${result.stdout}\n${result.stderr}`,
  );
}

test('contract and secret-tool peer, inside a Secret Service', { skip: missing }, async (t) => {
  await inside(t, 'inside-storage.ts');
});

test('a locked collection, prompt unanswered: typed error at the timeout', {
  skip: missing,
}, async (t) => {
  await inside(t, 'inside-locked.ts', true, { NL_TEST_EXPECT: 'timeout' });
});

test('a locked collection, no prompter (no display): typed error at once', {
  skip: missing,
}, async (t) => {
  await inside(t, 'inside-locked.ts', false, {
    NL_TEST_EXPECT: 'locked',
    DISPLAY: '',
    WAYLAND_DISPLAY: '',
  });
});

test('8 processes refreshing at once through the keychain: one refresh', {
  skip: missing,
}, async (t) => {
  await inside(t, 'inside-refreshers.ts');
});

test('kill -9 mid-write: whole groups, nothing left after clear', { skip: missing }, async (t) => {
  await inside(t, 'inside-crash.ts');
});

test('the CLI with --storage auto and keyring, inside a Secret Service', {
  skip: missing,
}, async (t) => {
  await inside(t, 'inside-cli.ts');
});

test('migrate between the INI file and the keychain, inside a Secret Service', {
  skip: missing,
}, async (t) => {
  await inside(t, 'inside-migrate.ts');
});
