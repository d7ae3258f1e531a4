/**
 * Damaged token files: each kind of damage gives a typed error (TokenFileCorrupt, a LoadError)
 * naming the file and, where it applies, the line; `loadTokens` leaves the bytes as they were;
 * `login()` treats the file as "cannot load", logs in, moves the damaged file aside to
 * `<name>.corrupt-<timestamp>` with its bytes intact, and says so on stderr. An empty file
 * means "no tokens": NoSavedTokens, and login writes a fresh file.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { LoadError, LoginException, NoSavedTokens, TokenFileCorrupt } from '../../src/errors.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { JSONTokenStorage } from '../../src/storage/json-token-storage.js';
import { CLIENT_ID, type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { damagedCases } from './damaged-cases.js';
import { SecretScan } from './secret-scan.js';

const scan = new SecretScan();
let s: ClientSetup;
const outcomes: string[] = [];

before(async () => {
  s = await setupClient({ client: { fetch: scan.tapFetch() } });
});
after(async () => {
  await scan.addFromFolder(s.dir);
  await s.cleanup();
});

/** A client on its own file (INI or JSON) in its own folder, with its own stderr. */
async function caseClient(name: string, kind: 'ini' | 'json') {
  const folder = join(s.dir, name.replace(/[^a-z0-9]+/gi, '-'));
  await mkdir(folder);
  const file = join(folder, kind === 'ini' ? 'tokens.cfg' : 'tokens.json');
  const stderr = new PassThrough();
  let messages = '';
  stderr.on('data', (chunk: Buffer) => {
    messages += chunk.toString();
  });
  const tokenStorage =
    kind === 'ini'
      ? new MultiClientTokenStorage({ filename: file })
      : new JSONTokenStorage({ filename: file });
  const client = s.makeClient({ tokenStorage, stderr });
  return { folder, file, client, messages: () => messages };
}

describe('damaged token files', () => {
  for (const damaged of damagedCases(CLIENT_ID)) {
    test(`${damaged.name}: TokenFileCorrupt naming the file; login moves it aside`, async () => {
      const { folder, file, client, messages } = await caseClient(damaged.name, damaged.kind);
      await writeFile(file, damaged.bytes, { mode: 0o600 });
      scan.addFromText(damaged.bytes.toString('latin1'));
      const error = await client.loadTokens().then(
        (tokens) => {
          scan.addGroups(tokens);
          return new Error(`loaded silently as ${Object.keys(tokens).join(', ')}`);
        },
        (e: unknown) => e,
      );
      scan.captureError(`${damaged.name}: loadTokens`, error);
      outcomes.push(
        `${damaged.name}: ${error instanceof TokenFileCorrupt ? `TokenFileCorrupt, line ${error.line ?? '-'}` : String(error)}`,
      );
      assert.ok(error instanceof TokenFileCorrupt, `${damaged.name}: ${String(error)}`);
      assert.ok(error instanceof LoadError && error instanceof LoginException);
      assert.equal(error.filename, file);
      assert.ok(error.message.includes(file), `the message names the file: ${error.message}`);
      if (typeof damaged.line === 'number') {
        assert.equal(error.line, damaged.line, error.message);
      } else if (damaged.line) {
        const [low, high] = damaged.line;
        assert.ok(
          error.line !== undefined && error.line >= low && error.line <= high,
          error.message,
        );
      }
      if (error.line !== undefined)
        assert.match(error.message, new RegExp(`line ${error.line}\\b`));
      assert.deepEqual(await readFile(file), damaged.bytes, 'loadTokens changed the file');

      const tokens = await client.login({ refreshTokens: true });
      scan.addGroups(tokens);
      scan.capture(`${damaged.name}: login stderr`, messages());
      const moved = (await readdir(folder)).filter((name) =>
        /\.corrupt-\d{8}T\d{6}Z(-\d+)?$/.test(name),
      );
      assert.equal(moved.length, 1, `one file moved aside: ${(await readdir(folder)).join(', ')}`);
      const aside = join(folder, moved[0]!);
      assert.ok(aside.startsWith(`${file}.corrupt-`));
      assert.deepEqual(await readFile(aside), damaged.bytes, 'the damaged bytes are kept');
      assert.ok(messages().includes(aside), `stderr says where it went: ${messages()}`);
      assert.deepEqual(Object.keys(await client.loadTokens()).sort(), Object.keys(tokens).sort());
    });
  }

  for (const [name, body] of [
    ['an empty file', ''],
    ['a file of blank lines', '\n\n  \n'],
  ] as const) {
    test(`${name} means no tokens: NoSavedTokens, and login writes a new file`, async () => {
      const { folder, file, client, messages } = await caseClient(name, 'ini');
      await writeFile(file, body, { mode: 0o600 });
      const error = await client.loadTokens().then(
        () => new Error('loaded tokens from an empty file'),
        (e: unknown) => e,
      );
      scan.captureError(`${name}: loadTokens`, error);
      outcomes.push(`${name}: ${error instanceof Error ? error.constructor.name : String(error)}`);
      assert.ok(error instanceof NoSavedTokens, String(error));
      assert.equal(await readFile(file, 'utf8'), body);
      const tokens = await client.login();
      scan.addGroups(tokens);
      scan.capture(`${name}: login stderr`, messages());
      assert.deepEqual(
        (await readdir(folder)).filter((n) => n.includes('.corrupt-')),
        [],
      );
      assert.deepEqual(Object.keys(await client.loadTokens()).sort(), Object.keys(tokens).sort());
    });
  }
});

test('cut inside the resource_server value: even login({ force: true }) can save fresh tokens', async (t) => {
  const damaged = damagedCases(CLIENT_ID).find(
    (c) => c.name === 'cut inside the resource_server value',
  )!;
  const { file, client, messages } = await caseClient('forced login after a cut value', 'ini');
  await writeFile(file, damaged.bytes, { mode: 0o600 });
  const outcome = await client.login({ force: true, refreshTokens: true }).then(
    (tokens) => {
      scan.addGroups(tokens);
      return 'saved';
    },
    (error: unknown) => {
      scan.captureError('forced login after a cut value', error);
      return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
    },
  );
  scan.capture('forced login stderr', messages());
  t.diagnostic(
    `damaged file, cut inside the resource_server value, then login({ force: true }): ${outcome}`,
  );
  assert.equal(outcome, 'saved');
});

test('damaged files: outcomes', (t) => {
  for (const outcome of outcomes) t.diagnostic(`damaged file, ${outcome}`);
});

scan.checkAtEnd(async () => {
  await scan.addFromFolder(s.dir);
  scan.capture('client stderr', s.messages());
});
