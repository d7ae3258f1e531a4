import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  IdentityMismatch,
  TokenFileCorrupt,
  UnsupportedTokenFileVersion,
} from '../../../src/errors.js';
import { globusAppLoginNotes } from '../../../src/storage/globus-app/globus-app-entries.js';
import { GlobusAppTokenStorage } from '../../../src/storage/globus-app/globus-app-token-storage.js';
import type { TokenGroup, TokensByResourceServer } from '../../../src/tokens/token-group.js';
import { rejection } from '../../helpers/rejection.js';
import { run, tempFolder, tokenGroup } from '../storage-test-kit.js';
import { runStorageContract } from '../token-storage-contract.js';

const PEER = 'test/fixtures/globus-app-python.py';
const CLIENT = '61338d24-54d5-408f-a10d-66c06b59f6d2';
const ADA = 'ae341a98-d274-11e5-b888-dbae3a8ba545';
const BOB = 'b0b0b0b0-d274-11e5-b888-dbae3a8ba545';

runStorageContract(
  'GlobusAppTokenStorage',
  (dir) => new GlobusAppTokenStorage({ filename: join(dir, 'tokens.json') }),
);
runStorageContract(
  'GlobusAppTokenStorage at GlobusApp’s place',
  (dir) =>
    new GlobusAppTokenStorage({
      clientId: CLIENT,
      appName: 'Contract App',
      env: { HOME: dir },
      platform: 'linux',
    }),
);

async function python(args: string[], input?: unknown): Promise<Record<string, unknown>> {
  const result = await run(
    'python3',
    [PEER, ...args],
    input === undefined ? undefined : JSON.stringify(input),
  );
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** Our group as GlobusApp's entry dict (every field, None as null). */
function asEntry(group: TokenGroup): Record<string, unknown> {
  return {
    resource_server: group.resource_server,
    identity_id: group.identity_id ?? null,
    scope: group.scope,
    access_token: group.access_token,
    refresh_token: group.refresh_token,
    expires_at_seconds: group.expires_at_seconds,
    token_type: 'Bearer',
  };
}

const login: TokensByResourceServer = {
  'auth.globus.org': tokenGroup('auth.globus.org', {
    scope: 'openid profile email',
    identity_id: ADA,
  }),
  'transfer.api.globus.org': tokenGroup('transfer.api.globus.org', {
    identity_id: ADA,
    refresh_token: null,
    access_token: 'AT with "quotes" \\ and caf\u00e9 \u{1F600}',
  }),
};

describe('GlobusAppTokenStorage and Python', () => {
  test('what we write, an independent python3 reader reads; json.dump would write the same bytes', async (t) => {
    const filename = join(await tempFolder(t), 'app', 'tokens.json');
    await new GlobusAppTokenStorage({ filename }).writeTokens(login);
    const theirs = await python(['read', filename, 'DEFAULT']);
    assert.deepEqual(theirs, {
      tokens: Object.fromEntries(Object.entries(login).map(([rs, g]) => [rs, asEntry(g)])),
    });
    const bytes = await readFile(filename, 'utf8');
    const normalized = await python(['normalize'], [bytes]);
    assert.deepEqual(normalized, [bytes]);
    assert.match(
      bytes,
      /^\{"data": \{"DEFAULT": \{"auth.globus.org": \{"resource_server": "auth.globus.org", "identity_id": /,
    );
    assert.equal((await stat(filename)).mode & 0o777, 0o600);
  });

  test('what Python writes, we read; writing the same change gives the same bytes', async (t) => {
    const dir = await tempFolder(t);
    const entries = {
      'auth.globus.org': {
        resource_server: 'auth.globus.org',
        identity_id: ADA,
        scope: 'openid email',
        access_token: 'pyAT',
        refresh_token: 'pyRT',
        // A byte-for-byte round trip of what Python wrote: never judged against a clock.
        expires_at_seconds: 1700000000,
        token_type: 'Bearer',
      },
    };
    const theirs = join(dir, 'theirs.json');
    const ours = join(dir, 'ours.json');
    const start = JSON.stringify({
      'globus-sdk.version': '3.65.0',
      format_version: '2.0',
      data: {
        DEFAULT: {
          'old.example': {
            resource_server: 'old.example',
            scope: 'x',
            access_token: 'o',
            expires_at_seconds: 1,
            extra_key: [1.5, { a: null }],
          },
        },
        OTHER: { anything: { goes: 'here' } },
      },
      'x-unknown': { kept: true },
    });
    await writeFile(theirs, start);
    await writeFile(ours, start);
    await python(['write', theirs, 'DEFAULT'], entries);
    const storage = new GlobusAppTokenStorage({ filename: ours });
    const read = await new GlobusAppTokenStorage({ filename: theirs }).readTokens();
    assert.deepEqual(read['auth.globus.org'], {
      scope: 'openid email',
      access_token: 'pyAT',
      refresh_token: 'pyRT',
      token_type: 'Bearer',
      expires_at_seconds: 1700000000,
      resource_server: 'auth.globus.org',
      identity_id: ADA,
    });
    await storage.writeTokens({ 'auth.globus.org': read['auth.globus.org'] as TokenGroup });
    assert.equal(await readFile(ours, 'utf8'), await readFile(theirs, 'utf8'));
    const text = await readFile(ours, 'utf8');
    assert.match(text, /"extra_key": \[1.5, \{"a": null\}\]/);
    assert.match(text, /"OTHER": \{"anything": \{"goes": "here"\}\}/);
    assert.match(text, /"x-unknown": \{"kept": true\}/);
  });

  test('a 1.0 file is read, and rewritten as 2.0 exactly as Python rewrites it', async (t) => {
    const dir = await tempFolder(t);
    const v1 = JSON.stringify({
      format_version: '1.0',
      'globus-sdk.version': '3.40.0',
      by_rs: {
        'old.example': {
          resource_server: 'old.example',
          scope: 'x',
          access_token: 'o',
          refresh_token: null,
          expires_at_seconds: 5,
          token_type: 'Bearer',
        },
      },
      other: 'dropped by Python too',
    });
    const theirs = join(dir, 'theirs.json');
    const ours = join(dir, 'ours.json');
    await writeFile(theirs, v1);
    await writeFile(ours, v1);
    const storage = new GlobusAppTokenStorage({ filename: ours });
    assert.deepEqual(Object.keys(await storage.readTokens()), ['old.example']);
    const group = tokenGroup('new.example', { identity_id: ADA });
    await python(['write', theirs, 'DEFAULT'], { 'new.example': asEntry(group) });
    await storage.writeTokens({ 'new.example': group });
    assert.equal(await readFile(ours, 'utf8'), await readFile(theirs, 'utf8'));
    assert.match(
      await readFile(ours, 'utf8'),
      /^\{"data": \{"DEFAULT": \{"old.example": .*"format_version": "2.0"/,
    );
  });

  test('any other format version is refused, and the file is left alone', async (t) => {
    const dir = await tempFolder(t);
    for (const version of ['"3.0"', '2', 'null', '"1"']) {
      const filename = join(dir, `v${version.replace(/\W/g, '')}.json`);
      const text = `{"format_version": ${version}, "data": {}, "globus-sdk.version": "9"}`;
      await writeFile(filename, text);
      const storage = new GlobusAppTokenStorage({ filename });
      const error = await rejection(storage.readTokens());
      assert.ok(error instanceof UnsupportedTokenFileVersion, version);
      assert.ok(!(error instanceof TokenFileCorrupt), 'never moved aside as damaged');
      await rejection(storage.writeTokens({ 'a.example': tokenGroup('a.example') }));
      await rejection(storage.clearTokens());
      assert.equal(await readFile(filename, 'utf8'), text);
      assert.ok((await rejection(storage.quarantine())) instanceof UnsupportedTokenFileVersion);
      assert.equal(await readFile(filename, 'utf8'), text);
    }
    const missing = join(dir, 'none.json');
    await writeFile(missing, '{"data": {}, "globus-sdk.version": "3"}');
    assert.match(
      (await rejection(new GlobusAppTokenStorage({ filename: missing }).readTokens())).message,
      /format \(none\)/,
    );
  });

  test('GlobusApp’s read rules: an int expiry, strings, one identity per file', async (t) => {
    const dir = await tempFolder(t);
    const doc = (entries: Record<string, unknown>) =>
      JSON.stringify({
        data: { DEFAULT: entries },
        format_version: '2.0',
        'globus-sdk.version': '3.65.0',
      });
    const entry = (rs: string, extra: Record<string, unknown> = {}) => ({
      resource_server: rs,
      scope: 's',
      access_token: 'a',
      expires_at_seconds: 10,
      ...extra,
    });
    const cases: [string, string, RegExp][] = [
      [
        'float',
        doc({ 'a.example': entry('a.example') }).replace(
          '"expires_at_seconds":10',
          '"expires_at_seconds":10.0',
        ),
        /not an integer/,
      ],
      [
        'string',
        doc({ 'a.example': entry('a.example', { expires_at_seconds: '10' }) }),
        /not an integer/,
      ],
      [
        'no scope',
        doc({ 'a.example': { ...entry('a.example'), scope: null } }),
        /scope that is not a string/,
      ],
      ['identity', doc({ 'a.example': entry('a.example', { identity_id: 5 }) }), /identity_id/],
      ['key', doc({ 'a.example': entry('b.example') }), /another resource_server/],
    ];
    for (const [name, text, pattern] of cases) {
      const filename = join(dir, `${name}.json`);
      await writeFile(filename, text);
      const error = await rejection(new GlobusAppTokenStorage({ filename }).readTokens());
      assert.ok(error instanceof TokenFileCorrupt, name);
      assert.match(error.message, pattern, name);
      assert.doesNotMatch(error.message, /"a"/);
    }
    const mixed = join(dir, 'mixed.json');
    await writeFile(
      mixed,
      doc({
        'a.example': entry('a.example', { identity_id: ADA }),
        'b.example': entry('b.example', { identity_id: BOB }),
      }),
    );
    assert.ok(
      (await rejection(new GlobusAppTokenStorage({ filename: mixed }).readTokens())) instanceof
        IdentityMismatch,
    );
    assert.match(
      (await python(['read', mixed, 'DEFAULT']))['error'] as string,
      /different identity_id/,
    );
  });

  test('identity: another one is refused; a group without one gets the stored one', async (t) => {
    const filename = join(await tempFolder(t), 'tokens.json');
    const storage = new GlobusAppTokenStorage({ filename });
    await storage.writeTokens(login);
    const before = await readFile(filename, 'utf8');
    const bob = tokenGroup('b.example', { identity_id: BOB });
    assert.ok(
      (await rejection(storage.writeTokens({ 'b.example': bob }))) instanceof IdentityMismatch,
    );
    assert.equal(await readFile(filename, 'utf8'), before);
    await storage.writeTokens({ 'c.example': tokenGroup('c.example') });
    assert.equal((await storage.readTokens())['c.example']?.identity_id, ADA);
  });

  test('clearTokens empties our namespace and keeps the others', async (t) => {
    const filename = join(await tempFolder(t), 'tokens.json');
    await new GlobusAppTokenStorage({ filename, namespace: 'other' }).writeTokens(login);
    const storage = new GlobusAppTokenStorage({ filename });
    await storage.writeTokens(login);
    await storage.clearTokens();
    assert.deepEqual(await storage.readTokens(), {});
    const text = await readFile(filename, 'utf8');
    assert.match(text, /^\{"data": \{"other": \{"auth.globus.org": .*"DEFAULT": \{\}\}/);
    assert.equal(
      Object.keys(await new GlobusAppTokenStorage({ filename, namespace: 'other' }).readTokens())
        .length,
      2,
    );
  });

  test('a half-written file is read again until Python is done; a damaged one stays', async (t) => {
    const dir = await tempFolder(t);
    const filename = join(dir, 'tokens.json');
    const storage = new GlobusAppTokenStorage({ filename });
    await storage.writeTokens(login);
    const full = await readFile(filename, 'utf8');
    for (const torn of ['', full.slice(0, full.length / 2)]) {
      await writeFile(filename, torn);
      const reading = storage.readTokens();
      setTimeout(() => void writeFile(filename, full), 60);
      assert.deepEqual(Object.keys(await reading), Object.keys(login));
    }
    await writeFile(filename, full.slice(0, -1));
    const quick = new GlobusAppTokenStorage({ filename, tornReadMs: 150 });
    const started = performance.now();
    const error = await rejection(quick.readTokens());
    assert.ok(error instanceof TokenFileCorrupt);
    assert.ok(performance.now() - started >= 140, 'retried before giving up');
    assert.match(error.message, /not valid JSON at line 1/);
    await rejection(quick.writeTokens({ 'a.example': tokenGroup('a.example') }));
    assert.equal(await readFile(filename, 'utf8'), full.slice(0, -1));
    // Moved aside only when still damaged after another wait, and a repaired file stays.
    const repairing = quick.quarantine();
    setTimeout(() => void writeFile(filename, full), 30);
    assert.equal(await repairing, null);
    await writeFile(filename, full.slice(0, -1));
    const aside = await quick.quarantine();
    assert.ok(aside?.includes('.corrupt-'));
    assert.equal(await readFile(aside as string, 'utf8'), full.slice(0, -1));
  });
});

test('a write removes temp files that killed writers left beside the file', async (t) => {
  const dir = await tempFolder(t);
  const filename = join(dir, 'tokens.json');
  await writeFile(filename, ''); // its mtime is now by the file system's clock
  const fsNow = (await stat(filename)).mtime;
  const litter = join(dir, '.tokens.json.4194305.0123456789ab.tmp');
  await writeFile(litter, 'half a save');
  const old = new Date(fsNow.getTime() - 2 * 3600 * 1000);
  await utimes(litter, old, old);
  await rm(filename);
  await new GlobusAppTokenStorage({ filename }).writeTokens(login);
  assert.deepEqual(
    (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
    [],
  );
});

describe('globusAppLoginNotes: why a GlobusApp would ask to log in again', () => {
  test('none for an openid login with refresh tokens; one per reason otherwise', () => {
    const auth = tokenGroup('auth.globus.org', { scope: 'openid profile email' });
    const transfer = tokenGroup('transfer.api.globus.org');
    assert.deepEqual(
      globusAppLoginNotes({ 'auth.globus.org': auth, 'transfer.api.globus.org': transfer }),
      [],
    );
    const notes = globusAppLoginNotes({
      'auth.globus.org': { ...auth, scope: 'profile email' },
      'transfer.api.globus.org': { ...transfer, refresh_token: null },
    });
    assert.equal(notes.length, 2);
    assert.match(notes[0] ?? '', /no auth.globus.org token with openid/);
    assert.match(notes[1] ?? '', /no refresh token for transfer.api.globus.org/);
    assert.match(globusAppLoginNotes({})[0] ?? '', /openid/);
  });
});
