// The chunk loader of the built package (src/load-chunk.ts): chunks load as `require` would,
// with the V8 code cache when it was made from exactly their bytes by this Node, and without
// it otherwise. Real files in a temp folder; "a fresh process" is a real child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { codeCachePath, codeCacheUses, importPackage, loadChunk } from '../src/load-chunk.js';

const LOADER = resolve(import.meta.dirname, '../src/load-chunk.ts');

/** Loads `id` from `dir` in a fresh process; prints what it exported and the cache's use. */
function freshLoad(dir: string, id: string): { value: unknown; uses: Record<string, string> } {
  const script = `
import { loadChunk, codeCacheUses } from ${JSON.stringify(LOADER)};
const exported = loadChunk(${JSON.stringify(dir)}, ${JSON.stringify(id)});
const uses = Object.fromEntries([...codeCacheUses()].map(([file, use]) => [file.split('/').pop(), use]));
console.log(JSON.stringify({ value: exported.value, uses }));`;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

describe('loadChunk', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'native-login-chunks-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a chunk loads once, with what require gives a CommonJS file, and requires its peers', () => {
    writeFileSync(
      join(dir, 'base.js'),
      "'use strict';\nexports.value = 'base';\nexports.where = [__filename, __dirname];\n",
    );
    writeFileSync(
      join(dir, 'top.js'),
      "'use strict';\nconst base = require('./base.js');\nconst os = require('node:os');\n" +
        "exports.value = 'top over ' + base.value;\nexports.os = typeof os.homedir;\n" +
        'exports.self = module.exports === exports;\n',
    );
    const top = loadChunk(dir, './top.js') as Record<string, unknown>;
    assert.deepEqual(top, { value: 'top over base', os: 'function', self: true });
    assert.equal(loadChunk(dir, './top.js'), top, 'loaded once');
    // The same module for a plain require, and for the chunk that required it.
    const plain = createRequire(import.meta.url);
    assert.equal(plain(join(dir, 'top.js')), top);
    const base = plain(join(dir, 'base.js')) as { where: string[] };
    assert.deepEqual(base.where, [join(dir, 'base.js'), dir]);
    assert.equal(codeCacheUses().get(join(dir, 'top.js')), 'absent');
  });

  test('a chunk that throws is not kept: the next load runs it again', () => {
    const file = join(dir, 'throws.js');
    writeFileSync(file, "throw new Error('broken chunk');\n");
    assert.throws(() => loadChunk(dir, './throws.js'), /broken chunk/);
    writeFileSync(file, "exports.value = 'mended';\n");
    assert.deepEqual(loadChunk(dir, './throws.js'), { value: 'mended' });
  });

  test('without a file, the bundled copy is used when there is one; else ENOENT', () => {
    const bundled = { value: 'from the bundle' };
    assert.equal(
      loadChunk(dir, './absent.js', () => bundled),
      bundled,
    );
    assert.throws(() => loadChunk(dir, './absent.js'), { code: 'ENOENT' });
  });

  test('importPackage imports as the package would (an ES module from a CommonJS chunk)', async () => {
    const path = (await importPackage('node:path')) as typeof import('node:path');
    assert.equal(path.join('a', 'b'), join('a', 'b'));
  });
});

describe('code caches', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'native-login-cache-'));
    writeFileSync(
      join(dir, 'cached.js'),
      "'use strict';\nfunction greet(name) { return 'hello ' + name; }\nexports.value = greet('cache');\n",
    );
    // The build's training run: load, run, write.
    const script = `
import { loadChunk, writeCodeCaches } from ${JSON.stringify(LOADER)};
loadChunk(${JSON.stringify(dir)}, './cached.js');
console.log(JSON.stringify(writeCodeCaches()));`;
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), [codeCachePath(join(dir, 'cached.js'))]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a fresh process uses the cache written for this Node', () => {
    assert.match(codeCachePath('/x/core.js'), /^\/x\/core\.js\.v\d+\.\d+\.\d+-\w+\.cache$/);
    assert.deepEqual(freshLoad(dir, './cached.js'), {
      value: 'hello cache',
      uses: { 'cached.js': 'used' },
    });
  });

  test('a chunk changed since (even to the same length) runs its new code, not the cache', () => {
    const file = join(dir, 'cached.js');
    const before = readFileSync(file);
    const cache = readFileSync(codeCachePath(file));
    try {
      // V8 would take this cache: it checks only the length of the source.
      writeFileSync(file, before.toString().replace("greet('cache')", "greet('CACHE')"));
      assert.equal(readFileSync(file).length, before.length);
      assert.deepEqual(freshLoad(dir, './cached.js'), {
        value: 'hello CACHE',
        uses: { 'cached.js': 'absent' },
      });
    } finally {
      writeFileSync(file, before);
      writeFileSync(codeCachePath(file), cache);
    }
  });

  test('a damaged or foreign cache is refused and the chunk compiles as usual', () => {
    const file = join(dir, 'cached.js');
    const cachePath = codeCachePath(file);
    const cache = readFileSync(cachePath);
    try {
      // V8's data cut short: V8 refuses it.
      truncateSync(cachePath, cache.length - 16);
      assert.deepEqual(freshLoad(dir, './cached.js'), {
        value: 'hello cache',
        uses: { 'cached.js': 'rejected' },
      });
      // Not a cache of ours at all.
      writeFileSync(cachePath, 'not a cache');
      assert.deepEqual(freshLoad(dir, './cached.js'), {
        value: 'hello cache',
        uses: { 'cached.js': 'absent' },
      });
    } finally {
      writeFileSync(cachePath, cache);
    }
  });
});
