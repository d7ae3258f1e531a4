import assert from 'node:assert/strict';
import { access, lstat, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TokenFileCorrupt } from '../../src/errors.js';
import { JSONTokenStorage, parseTokensJson } from '../../src/storage/json-token-storage.js';
import { FAR_EXPIRY } from '../helpers/clock.js';
import { tempFolder, tokenGroup } from './storage-test-kit.js';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('JSONTokenStorage files', () => {
  test("writes fair-research-login's JSON shape, 0600, without identity_id", async (t) => {
    const filename = join(await tempFolder(t), 'tokens.json');
    const storage = new JSONTokenStorage({ filename });
    await storage.writeTokens({
      a: tokenGroup('a', { identity_id: 'someone', refresh_token: null }),
    });
    assert.equal((await stat(filename)).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(await readFile(filename, 'utf8')), {
      a: {
        scope: 'urn:globus:auth:scope:a:all',
        access_token: 'fakeAT.a',
        refresh_token: null,
        token_type: 'Bearer',
        expires_at_seconds: FAR_EXPIRY,
        resource_server: 'a',
      },
    });
  });

  test('an empty file is no tokens; clearTokens deletes the file', async (t) => {
    const filename = join(await tempFolder(t), 'tokens.json');
    await writeFile(filename, '');
    const storage = new JSONTokenStorage({ filename });
    assert.deepEqual(await storage.readTokens(), {});
    await storage.writeTokens({ a: tokenGroup('a') });
    await storage.clearTokens();
    assert.equal(await exists(filename), false);
  });

  test("clearTokens through a symlink removes the link, never its target (Python's os.remove)", async (t) => {
    const dir = await tempFolder(t);
    const link = join(dir, 'link.json');
    await symlink('target.json', link);
    const storage = new JSONTokenStorage({ filename: link });
    await storage.writeTokens({ a: tokenGroup('a') });
    assert.ok(await exists(join(dir, 'target.json')));
    await storage.clearTokens();
    await assert.rejects(lstat(link), { code: 'ENOENT' });
    assert.deepEqual(await readdir(dir), ['target.json']);
    assert.deepEqual(await storage.readTokens(), {});
  });

  test('bad JSON or wrong types: TokenFileCorrupt naming file and line, bytes unchanged', async (t) => {
    const dir = await tempFolder(t);
    const cases: [string, string, number | undefined, RegExp][] = [
      ['syntax.json', '{\n  "a": {\n    "access_token": "fakeAT.secret" x\n', 3, /line 3, column/],
      ['cut.json', '{\n  "a": {"access_token": "fakeAT.se', 2, /not valid JSON/],
      ['array.json', '[]', undefined, /not an object/],
      ['group.json', '{"a": {"access_token": "fakeAT.x"}}', undefined, /token group "a".*missing/],
      ['key.json', JSON.stringify({ b: tokenGroup('a') }), undefined, /another resource_server/],
    ];
    for (const [name, content, line, words] of cases) {
      const filename = join(dir, name);
      await writeFile(filename, content);
      const storage = new JSONTokenStorage({ filename });
      for (const action of [
        () => storage.readTokens(),
        () => storage.writeTokens({ a: tokenGroup('a') }),
        () => storage.clearTokens(),
      ]) {
        await assert.rejects(action(), (error: unknown) => {
          assert.ok(error instanceof TokenFileCorrupt, `${name}: ${error}`);
          assert.equal(error.filename, filename);
          assert.equal(error.line, line, name);
          assert.match(error.message, words);
          assert.doesNotMatch(error.message, /fakeAT/);
          return true;
        });
      }
      assert.equal(await readFile(filename, 'utf8'), content);
    }
    const storage = new JSONTokenStorage({ filename: join(dir, 'syntax.json') });
    assert.match((await storage.quarantine()) ?? '', /syntax\.json\.corrupt-\d{8}T\d{6}Z$/);
    assert.deepEqual(await storage.readTokens(), {});
  });

  test('a resource server named __proto__ stays plain data', () => {
    const text = JSON.stringify({ ['__proto__']: tokenGroup('__proto__') });
    const tokens = parseTokensJson(text, 'x.json');
    assert.deepEqual(Object.keys(tokens), ['__proto__']);
    assert.equal(Object.getPrototypeOf(tokens), Object.prototype);
  });
});
