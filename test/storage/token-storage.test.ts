import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigParserTokenStorage } from '../../src/storage/ini/config-parser-token-storage.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { JSONTokenStorage } from '../../src/storage/json-token-storage.js';
import { MemoryTokenStorage } from '../../src/storage/memory-token-storage.js';
import { assertTokenStorage } from '../../src/storage/token-storage.js';
import { type TokensByResourceServer, validateTokens } from '../../src/tokens/token-group.js';
import { runStorageContract } from './token-storage-contract.js';

runStorageContract('MemoryTokenStorage', () => new MemoryTokenStorage());
runStorageContract(
  'JSONTokenStorage',
  (dir) => new JSONTokenStorage({ filename: join(dir, 'tokens.json') }),
);
runStorageContract(
  'ConfigParserTokenStorage',
  (dir) => new ConfigParserTokenStorage({ filename: join(dir, 'tokens.cfg') }),
);
runStorageContract('MultiClientTokenStorage', (dir) => {
  const storage = new MultiClientTokenStorage({ homedir: dir });
  storage.setClientId('7414f0b4-7d05-4bb6-bb00-076fa3f17cf5');
  return storage;
});

/** A user-written storage: plain object, async methods, no lock, validating like ours. */
function asyncObjectStorage() {
  let stored: TokensByResourceServer = {};
  return {
    readTokens: async () => structuredClone(stored),
    writeTokens: async (tokens: TokensByResourceServer) => {
      stored = { ...stored, ...structuredClone(validateTokens(tokens)) };
    },
    clearTokens: async () => {
      stored = {};
    },
  };
}
runStorageContract('a plain async object', () => asyncObjectStorage());

describe('assertTokenStorage', () => {
  test('accepts each storage', () => {
    assertTokenStorage(new MemoryTokenStorage());
    assertTokenStorage(asyncObjectStorage());
  });

  test('names the missing methods in a TypeError', () => {
    assert.throws(
      () => assertTokenStorage({ readTokens() {} }),
      (error: unknown) =>
        error instanceof TypeError && /writeTokens, clearTokens/.test(error.message),
    );
    assert.throws(() => assertTokenStorage(null), TypeError);
    assert.throws(() => assertTokenStorage('x'), TypeError);
    assert.throws(() => assertTokenStorage({ ...asyncObjectStorage(), withLock: 3 }), /withLock/);
  });
});
