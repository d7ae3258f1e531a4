import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';

/** In-process streams; `tty` makes stderr claim to be a terminal (for colour). */
function streams(tty = false) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return { stdout, stderr, out: () => out, err: () => err };
}

test('--version and --help', async () => {
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  const s = streams();
  assert.equal(await main(['--version'], { ...s, env: {} }), 0);
  assert.equal(s.out(), `${pkg.version}\n`);
  const h = streams();
  assert.equal(await main(['token', '-h'], { ...h, env: {} }), 0);
  assert.match(h.out(), /Usage: native-login token/);
  assert.equal(h.err(), '');
});

test('errors are coloured on a terminal, not with NO_COLOR', async () => {
  const coloured = streams(true);
  assert.equal(await main(['status'], { ...coloured, env: { HOME: '/nonexistent' } }), 2);
  assert.ok(coloured.err().startsWith('\u001b[31mnative-login: error:'), coloured.err());
  const plain = streams(true);
  assert.equal(
    await main(['status'], { ...plain, env: { NO_COLOR: '1', HOME: '/nonexistent' } }),
    2,
  );
  assert.match(plain.err(), /^native-login: error: No client id/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape codes are what we look for.
  assert.doesNotMatch(plain.err(), /\u001b/);
});

test('a missing client id says where to register an app', async () => {
  const s = streams();
  assert.equal(await main(['whoami'], { ...s, env: {} }), 2);
  assert.match(s.err(), /app\.globus\.org\/settings\/developers/);
  assert.match(s.err(), /NATIVE_LOGIN_CLIENT_ID/);
});
