// Which store a `--storage` value names: the server URLs, told apart by their scheme alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverPlace } from '../../src/cli/storage-choice.js';

test('a server URL is known by its scheme, in any case; anything else is not a server', () => {
  assert.equal(serverPlace('postgres://h/db'), 'postgres://h:5432/db');
  assert.equal(serverPlace('POSTGRESQL://ada@H:6000'), 'postgres://h:6000/ada');
  assert.equal(serverPlace('Redis://h'), 'redis://h:6379/0');
  assert.equal(serverPlace('rediss://h:7000/2'), 'redis://h:7000/2');
  for (const other of ['postgres:/h', 'postgresq://h', 'redisss://h', 'redis:', '/tmp/x.cfg', '']) {
    assert.equal(serverPlace(other), undefined, other);
  }
});
