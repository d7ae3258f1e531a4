import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidTokenFormat } from '../../src/errors.js';
import type { MaybePromise, TokenStorage } from '../../src/storage/token-storage.js';
import { assertTokenStorage } from '../../src/storage/token-storage.js';
import { tempFolder, tokenGroup } from './storage-test-kit.js';

/**
 * The behaviour every TokenStorage shares, run against each one. `makeStorage` gets a fresh
 * temp folder (removed afterwards) and returns a storage that keeps its data there.
 */
export function runStorageContract(
  name: string,
  makeStorage: (folder: string) => MaybePromise<TokenStorage>,
): void {
  describe(`${name} (TokenStorage contract)`, () => {
    const fresh = async (t: Parameters<typeof tempFolder>[0]) => {
      const storage = await makeStorage(await tempFolder(t));
      assertTokenStorage(storage);
      return storage;
    };

    test('reads {} when nothing is stored', async (t) => {
      const storage = await fresh(t);
      assert.deepEqual(await storage.readTokens(), {});
    });

    test('reads back what it wrote', async (t) => {
      const storage = await fresh(t);
      const tokens = {
        'auth.globus.org': tokenGroup('auth.globus.org', { refresh_token: null }),
        'transfer.api.globus.org': tokenGroup('transfer.api.globus.org'),
      };
      await storage.writeTokens(tokens);
      assert.deepEqual(await storage.readTokens(), tokens);
    });

    test('merges by resource server: a group replaces that group whole', async (t) => {
      const storage = await fresh(t);
      await storage.writeTokens({ 'a.example': tokenGroup('a.example') });
      await storage.writeTokens({ 'b.example': tokenGroup('b.example') });
      const newA = tokenGroup('a.example', { access_token: 'fakeAT.new', refresh_token: null });
      await storage.writeTokens({ 'a.example': newA });
      assert.deepEqual(await storage.readTokens(), {
        'a.example': newA,
        'b.example': tokenGroup('b.example'),
      });
    });

    test('clearTokens forgets everything, and writing works again after', async (t) => {
      const storage = await fresh(t);
      await storage.clearTokens(); // nothing stored yet: fine
      await storage.writeTokens({ 'a.example': tokenGroup('a.example') });
      await storage.clearTokens();
      assert.deepEqual(await storage.readTokens(), {});
      await storage.writeTokens({ 'b.example': tokenGroup('b.example') });
      assert.deepEqual(Object.keys(await storage.readTokens()), ['b.example']);
    });

    test('keeps values with = % : ; # and resource servers with _ and -', async (t) => {
      const storage = await fresh(t);
      const tokens = {
        'made-up.resource_server-x.example': tokenGroup('made-up.resource_server-x.example', {
          scope: 'a=b c:d e;f #g 100% %% %(home)s [x] https://auth.globus.org/scopes/x/all',
          access_token: '#AT=1:2;3%',
          refresh_token: ';RT%%=',
        }),
        funcx_service: tokenGroup('funcx_service'),
      };
      await storage.writeTokens(tokens);
      assert.deepEqual(await storage.readTokens(), tokens);
    });

    test('results are copies: changing one does not change what is stored', async (t) => {
      const storage = await fresh(t);
      const written = tokenGroup('a.example');
      await storage.writeTokens({ 'a.example': written });
      written.access_token = 'changed-after-write';
      const read = await storage.readTokens();
      (read['a.example'] as { access_token: string }).access_token = 'changed-after-read';
      assert.equal((await storage.readTokens())['a.example']?.access_token, 'fakeAT.a.example');
    });

    test('refuses a malformed group with InvalidTokenFormat and stores nothing', async (t) => {
      const storage = await fresh(t);
      const bad = { 'a.example': { ...tokenGroup('a.example'), expires_at_seconds: 'soon' } };
      await assert.rejects(
        async () => storage.writeTokens(bad as never),
        (error: unknown) => error instanceof InvalidTokenFormat,
      );
      assert.deepEqual(await storage.readTokens(), {});
    });

    test('withLock, when offered, is re-entrant and serialises callers', async (t) => {
      const storage = await fresh(t);
      if (!storage.withLock) return t.skip('no withLock');
      const withLock = storage.withLock.bind(storage);
      const inside = await withLock(async () => {
        await storage.writeTokens({ 'a.example': tokenGroup('a.example') });
        await withLock(async () => storage.writeTokens({ 'b.example': tokenGroup('b.example') }));
        return Object.keys(await storage.readTokens()).sort();
      });
      assert.deepEqual(inside, ['a.example', 'b.example']);
      const order: string[] = [];
      const slow = withLock(async () => {
        order.push('first in');
        await new Promise((done) => setImmediate(done));
        order.push('first out');
      });
      const fast = withLock(async () => {
        order.push('second');
      });
      await Promise.all([slow, fast]);
      assert.deepEqual(order, ['first in', 'first out', 'second']);
    });

    test('parallel writes inside one withLock do not lose each other', async (t) => {
      const storage = await fresh(t);
      const withLock = storage.withLock?.bind(storage) ?? ((fn: () => Promise<void>) => fn());
      const names = ['a', 'b', 'c', 'd', 'e'].map((n) => `${n}.example`);
      await withLock(async () => {
        await Promise.all(names.map(async (rs) => storage.writeTokens({ [rs]: tokenGroup(rs) })));
      });
      await Promise.all(names.map(async (rs) => storage.writeTokens({ [rs]: tokenGroup(rs) })));
      assert.deepEqual(Object.keys(await storage.readTokens()).sort(), names);
    });

    test('calls started without waiting take effect in the order they were made', async (t) => {
      const storage = await fresh(t);
      // A caller that saves an old token and then a new one without awaiting the first must
      // end with the new one: a storage that lets the first overtake keeps a spent token.
      const calls: Promise<void>[] = [];
      for (let round = 0; round < 3; round++) {
        for (const n of [1, 2, 3, 4]) {
          const rs = n % 2 === 0 ? 'a.example' : 'b.example';
          const group = tokenGroup(rs, { access_token: `fakeAT.${round}.${n}` });
          calls.push(Promise.resolve(storage.writeTokens({ [rs]: group })));
        }
        if (round === 1) calls.push(Promise.resolve(storage.clearTokens()));
      }
      await Promise.all(calls);
      const stored = await storage.readTokens();
      assert.equal(stored['a.example']?.access_token, 'fakeAT.2.4');
      assert.equal(stored['b.example']?.access_token, 'fakeAT.2.3');
      assert.deepEqual(Object.keys(stored).sort(), ['a.example', 'b.example']);
    });
  });
}
