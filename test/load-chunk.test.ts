// The chunk loader of the built package (src/load-chunk.ts): chunks load as `require` would,
// with the V8 code cache when it was made from exactly their bytes by this Node, by Node's
// own require when there is no cache for this Node. Real files in a temp folder; "a fresh process" is a real child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  codeCachePath,
  codeCacheUses,
  importPackage,
  loadChunk,
  seedCodeCaches,
} from '../src/load-chunk.js';

const LOADER = resolve(import.meta.dirname, '../src/load-chunk.ts');

/** Node's own require of `id` in `dir`: what an entry passes as `plain`. */
function plainRequire(dir: string, id: string): () => unknown {
  return () => createRequire(join(dir, 'entry.js'))(join(dir, id));
}

/** Runs `script` (an ES module; TypeScript imports through tsx) in a fresh process: its JSON. */
function runModule(script: string): never {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as never;
}

/**
 * Loads `id` from `dir` in a fresh process (as the entry `entry`, if given); prints what it
 * exported, the caches' use and the cache files used (by base name).
 */
function freshLoad(
  dir: string,
  id: string,
  entry?: string,
): { value: unknown; uses: Record<string, string>; files: Record<string, string> } {
  const script = `
import { createRequire } from 'node:module';
import { loadChunk, codeCacheUses, codeCacheFiles } from ${JSON.stringify(LOADER)};
const plain = () => createRequire(${JSON.stringify(join(dir, 'entry.js'))})(${JSON.stringify(join(dir, id))});
const exported = loadChunk(${JSON.stringify(dir)}, ${JSON.stringify(id)}, plain, ${JSON.stringify(entry)});
const base = (map) => Object.fromEntries([...map].map(([file, value]) => [file.split('/').pop(), value.split('/').pop()]));
console.log(JSON.stringify({ value: exported.value, uses: base(codeCacheUses()), files: base(codeCacheFiles()) }));`;
  return runModule(script);
}

describe('loadChunk', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'native-login-chunks-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('with no cache for this Node, the chunk is what the plain require gives (or a bundle)', () => {
    writeFileSync(join(dir, 'plain.js'), "exports.value = 'plain';\n");
    const exported = loadChunk(dir, './plain.js', plainRequire(dir, './plain.js'));
    assert.deepEqual(exported, { value: 'plain' });
    assert.equal(codeCacheUses().has(join(dir, 'plain.js')), false);
    // A bundled app: no file at all, the bundle's own copy.
    const bundled = { value: 'from the bundle' };
    assert.equal(
      loadChunk(dir, './absent.js', () => bundled),
      bundled,
    );
  });

  test('a chunk with a cache loads once, as require would, and loads its peers the same way', () => {
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
    seedCodeCaches([join(dir, 'base.js'), join(dir, 'top.js')]);
    const top = loadChunk(dir, './top.js', plainRequire(dir, './top.js')) as Record<
      string,
      unknown
    >;
    assert.deepEqual(top, { value: 'top over base', os: 'function', self: true });
    assert.equal(loadChunk(dir, './top.js', plainRequire(dir, './top.js')), top, 'loaded once');
    // The same module for a plain require, and for the chunk that required it.
    const plain = createRequire(import.meta.url);
    assert.equal(plain(join(dir, 'top.js')), top);
    const base = plain(join(dir, 'base.js')) as { where: string[] };
    assert.deepEqual(base.where, [join(dir, 'base.js'), dir]);
    assert.equal(codeCacheUses().get(join(dir, 'top.js')), 'seed');
    assert.equal(codeCacheUses().get(join(dir, 'base.js')), 'seed');
  });

  test('a chunk that throws is not kept: the next load runs it again', () => {
    const file = join(dir, 'throws.js');
    writeFileSync(file, "throw new Error('broken chunk');\n");
    seedCodeCaches([file]);
    assert.throws(
      () => loadChunk(dir, './throws.js', plainRequire(dir, './throws.js')),
      /broken chunk/,
    );
    writeFileSync(file, "exports.value = 'mended';\n");
    seedCodeCaches([file]);
    assert.deepEqual(loadChunk(dir, './throws.js', plainRequire(dir, './throws.js')), {
      value: 'mended',
    });
  });

  test('importPackage imports as the package would (an ES module from a CommonJS chunk)', async () => {
    const path = (await importPackage('node:path')) as typeof import('node:path');
    assert.equal(path.join('a', 'b'), join('a', 'b'));
  });
});

/**
 * The build's training run in a fresh process: seeds the caches of `seeds` (the `entry`'s own,
 * if given), loads `id` as that entry, writes the caches; returns the files written.
 */
function train(dir: string, id: string, seeds: string[], entry?: string): string[] {
  const files = seeds.map((name) => join(dir, name));
  const script = `
import { loadChunk, seedCodeCaches, writeCodeCaches } from ${JSON.stringify(LOADER)};
seedCodeCaches(${JSON.stringify(files)}, ${JSON.stringify(entry)});
loadChunk(${JSON.stringify(dir)}, ${JSON.stringify(id)}, () => { throw new Error('not through the loader'); }, ${JSON.stringify(entry)});
console.log(JSON.stringify(writeCodeCaches()));`;
  return runModule(script);
}

describe('code caches', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'native-login-cache-'));
    writeFileSync(
      join(dir, 'cached.js'),
      "'use strict';\nfunction greet(name) { return 'hello ' + name; }\nexports.value = greet('cache');\n",
    );
    assert.deepEqual(train(dir, './cached.js', ['cached.js']), [
      codeCachePath(join(dir, 'cached.js')),
    ]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a fresh process uses the cache written for this Node', () => {
    assert.match(codeCachePath('/x/core.js'), /^\/x\/core\.js\.v\d+\.\d+\.\d+-\w+\.cache$/);
    assert.deepEqual(freshLoad(dir, './cached.js'), {
      value: 'hello cache',
      uses: { 'cached.js': 'used' },
      files: { 'cached.js': basename(codeCachePath(join(dir, 'cached.js'))) },
    });
  });

  test('a chunk changed since (even to the same length) runs its new code, not the cache', () => {
    const file = join(dir, 'cached.js');
    const before = readFileSync(file);
    try {
      // V8 would take this cache: it checks only the length of the source.
      writeFileSync(file, before.toString().replace("greet('cache')", "greet('CACHE')"));
      assert.equal(readFileSync(file).length, before.length);
      const changed = freshLoad(dir, './cached.js');
      assert.deepEqual([changed.value, changed.uses], ['hello CACHE', { 'cached.js': 'stale' }]);
    } finally {
      writeFileSync(file, before);
    }
  });

  test('a damaged or foreign cache is never used; the chunk loads as usual', () => {
    const file = join(dir, 'cached.js');
    const cachePath = codeCachePath(file);
    const cache = readFileSync(cachePath);
    try {
      // V8's data cut short: V8 refuses it, and the loader compiles the source.
      truncateSync(cachePath, cache.length - 16);
      const damaged = freshLoad(dir, './cached.js');
      assert.deepEqual([damaged.value, damaged.uses], ['hello cache', { 'cached.js': 'rejected' }]);
      // Not a cache of ours at all: Node's plain require.
      writeFileSync(cachePath, 'not a cache');
      assert.deepEqual(freshLoad(dir, './cached.js'), {
        value: 'hello cache',
        uses: {},
        files: {},
      });
    } finally {
      writeFileSync(cachePath, cache);
    }
  });
  test('a cache that holds less source than its length says is stale, not an error', () => {
    const file = join(dir, 'cached.js');
    const cachePath = codeCachePath(file);
    const cache = readFileSync(cachePath);
    const source = readFileSync(file);
    try {
      // The right tag and length, then half the source and nothing more.
      const head = cache.subarray(0, cache.indexOf('\n') + 5);
      assert.equal(head.readUInt32LE(head.length - 4), source.length);
      writeFileSync(cachePath, Buffer.concat([head, source.subarray(0, source.length >> 1)]));
      const cut = freshLoad(dir, './cached.js');
      assert.deepEqual([cut.value, cut.uses], ['hello cache', { 'cached.js': 'stale' }]);
    } finally {
      writeFileSync(cachePath, cache);
    }
  });

  test("a chunk bigger than the loader's buffer, with text past ASCII, loads from its cache", () => {
    // The loader reads into one 512 kB buffer and makes it bigger when a file needs it.
    const padding = 'x'.repeat(700 * 1024);
    const text = 'caf\u00e9 \u2026 \u{1f511}'; // two, three and four bytes of UTF-8
    writeFileSync(
      join(dir, 'big.js'),
      `'use strict';\nconst pad = '${padding}';\nexports.value = '${text} ' + pad.length;\n`,
    );
    assert.deepEqual(train(dir, './big.js', ['big.js']), [codeCachePath(join(dir, 'big.js'))]);
    assert.ok(readFileSync(codeCachePath(join(dir, 'big.js'))).length > 1024 * 1024);
    assert.deepEqual(freshLoad(dir, './big.js'), {
      value: `${text} ${padding.length}`,
      uses: { 'big.js': 'used' },
      files: { 'big.js': basename(codeCachePath(join(dir, 'big.js'))) },
    });
  });

  test("an entry's own caches come first, for its chunks and those they require", () => {
    // own.js requires cached.js; the entry `lib` is trained on its own, as the build does for
    // the library's start-up.
    writeFileSync(
      join(dir, 'own.js'),
      "'use strict';\nconst cached = require('./cached.js');\nexports.value = cached.value + '!';\n",
    );
    const own = (name: string) => codeCachePath(join(dir, name), 'lib');
    assert.match(own('core.js'), /\/core\.js\.lib\.v\d+\.\d+\.\d+-\w+\.cache$/);
    assert.deepEqual(train(dir, './own.js', ['own.js', 'cached.js'], 'lib'), [
      own('own.js'),
      own('cached.js'),
    ]);
    assert.deepEqual(freshLoad(dir, './own.js', 'lib'), {
      value: 'hello cache!',
      uses: { 'own.js': 'used', 'cached.js': 'used' },
      files: { 'own.js': basename(own('own.js')), 'cached.js': basename(own('cached.js')) },
    });
    // A chunk with no own cache: the shared one.
    rmSync(own('cached.js'));
    const shared = basename(codeCachePath(join(dir, 'cached.js')));
    assert.deepEqual(freshLoad(dir, './own.js', 'lib').files, {
      'own.js': basename(own('own.js')),
      'cached.js': shared,
    });
    // Another entry (no own cache) does not see them: own.js has no shared cache, so Node's
    // own require loads it, and cached.js with it.
    assert.deepEqual(freshLoad(dir, './own.js'), { value: 'hello cache!', uses: {}, files: {} });
    // An own cache that is not one of ours: the shared cache, never a failure.
    writeFileSync(own('cached.js'), 'not a cache');
    assert.deepEqual(freshLoad(dir, './cached.js', 'lib').files, { 'cached.js': shared });
  });
});
