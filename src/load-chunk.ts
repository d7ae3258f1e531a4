/**
 * How the built package (dist/, scripts/build.mjs) loads its chunks: as `require` would, but
 * with the V8 code cache that the build wrote beside each chunk. A fresh process then reads
 * the bytecode of the functions a usual run calls instead of parsing and compiling ~200 kB of
 * source, and does not compile each function again when it first runs (bench/: 2–3 ms of a
 * library start-up or a refresh, 4–6 ms on a big token file). Node 20 has no
 * `module.enableCompileCache`, and its `require` takes no cached data, hence this loader.
 *
 * A chunk can have two caches: the one every process uses, trained on all the usual paths, and
 * one that only an entry's own process uses (today the library's: `core.js.library.v20…cache`),
 * trained on that entry's start-up alone. V8 deserializes every function a cache holds, needed
 * or not: the library's start-up on valid tokens spent ~0.4 ms on the bytecode of refreshes,
 * token-file saves and big files, which a CLI refresh needs and the library's start-up never
 * runs. A refresh or a big file in the library then compiles those
 * functions on first use, which measured no slower: it no longer reads in the others
 * (docs/performance.md).
 *
 * A cache is used only if it was made from exactly these bytes (V8 itself checks only the
 * source's length) by this Node (its version and architecture are in the file name; V8 also
 * refuses data from other V8 builds or flags). With no cache for this Node, Node's own
 * `require` loads the chunk, as before caches, for the price of one failed open. Caches are
 * written by the build alone, never at run time: an installed package may be read-only or
 * shared by users who do not trust each other, and cached bytecode is code.
 *
 * This file is not bundled: the build compiles it to dist/load-chunk.js, and Node loads it
 * with its own `require`, so that it can keep `import()` for the chunks (see importPackage).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** Node's CommonJS wrapper, so that a chunk sees what `require` would give it. */
const HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const TAIL = '\n});';
/** A cache file: this tag, the source's length (uint32 LE), the source, then V8's data. */
const TAG = 'native-login code cache 1\n';
const PREFIX = TAG.length + 4;

/**
 * How this process loaded a chunk: `used` its cache; `rejected` (V8 refused the cache: other
 * flags, or damaged data); `seed` (the build's training run, which has no cache yet); `stale`
 * (the cache was made from other bytes: the chunk was changed since the build). A chunk with
 * no cache file for this Node is loaded by plain `require` and is not listed.
 */
export type CodeCacheUse = 'used' | 'rejected' | 'seed' | 'stale';

/** The chunks compiled by this process, for {@link writeCodeCaches} and the tests. */
const compiled = new Map<string, { script: Script; cache: CodeCacheUse; cacheFile: string }>();

/** Where the code cache of the chunk `filename` is for this Node (the `entry`'s own, if given). */
export function codeCachePath(filename: string, entry?: string): string {
  const own = entry === undefined ? '' : `${entry}.`;
  return `${filename}.${own}${process.version}-${process.arch}.cache`;
}

/**
 * The exports of the chunk `id` (`./core.js`) relative to `dir`, loaded once per process and
 * kept in `require.cache`, so that a plain `require` of the same file gives the same module.
 * `plain` is the entry's own `require` of the chunk, used when there is no cache for this
 * Node: then loading costs what it did before code caches (one failed open more), and an
 * app packed by a bundler (esbuild, webpack, ncc), which has no chunk files, gets its copy.
 * `entry` names the entry whose own caches to prefer (see the header); the chunks this one
 * requires, then or later, are looked up the same way.
 */
export function loadChunk(
  dir: string | undefined,
  id: string,
  plain: () => unknown,
  entry?: string,
): unknown {
  // No folder: the entry runs inside an ES-module bundle, where there is no __dirname and the
  // chunks are in the bundle (for it, `plain` is the bundler's own require).
  if (dir === undefined) return plain();
  const filename = join(dir, id);
  const nodeRequire = createRequire(filename);
  const known = nodeRequire.cache[filename];
  if (known !== undefined) return known.exports;
  // The entry's own cache if it has one for this chunk (one failed open if not), else the shared.
  const own = entry === undefined ? undefined : readCacheFile(codeCachePath(filename, entry));
  const cacheFile = own ?? readCacheFile(codeCachePath(filename));
  if (cacheFile === undefined) return plain();
  const source = readFileSync(filename);
  const cachedData = cachedDataFor(cacheFile.data, source);
  const script = new Script(`${HEAD}${source.toString('utf8')}${TAIL}`, {
    filename,
    ...(cachedData !== undefined && cachedData.length > 0 && { cachedData }),
  });
  const cache: CodeCacheUse =
    cachedData === undefined
      ? 'stale'
      : cachedData.length === 0
        ? 'seed'
        : script.cachedDataRejected
          ? 'rejected'
          : 'used';
  compiled.set(filename, { script, cache, cacheFile: cacheFile.path });
  const module = new Module(filename) as NodeJS.Module;
  module.filename = filename;
  nodeRequire.cache[filename] = module;
  const chunkDir = dirname(filename);
  // Chunks require each other as './name.js'; anything else (node:*) is Node's business.
  const chunkRequire = (request: string): unknown =>
    request.startsWith('./')
      ? loadChunk(chunkDir, request, () => nodeRequire(join(chunkDir, request)), entry)
      : nodeRequire(request);
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(module.exports, module.exports, chunkRequire, module, filename, chunkDir);
  } catch (error) {
    // As `require` does: a chunk that failed to load is not kept half-initialised.
    delete nodeRequire.cache[filename];
    throw error;
  }
  module.loaded = true;
  return module.exports;
}

/**
 * `import(specifier)` for the chunks. Code compiled by `vm.Script` cannot call `import()` on
 * Node 20 without an experimental flag or warning, and a package such as `open` is an ES
 * module only; this file is compiled by Node itself, and resolves from the same folder tree.
 */
export function importPackage(specifier: string): Promise<unknown> {
  return import(specifier);
}

/** How this process used each chunk's cache (filename → use); for the tests and benchmarks. */
export function codeCacheUses(): Map<string, CodeCacheUse> {
  return new Map([...compiled].map(([filename, { cache }]) => [filename, cache]));
}

/** Which cache file each chunk this process compiled was loaded with (filename → cache file). */
export function codeCacheFiles(): Map<string, string> {
  return new Map([...compiled].map(([filename, { cacheFile }]) => [filename, cacheFile]));
}

/**
 * Writes an empty cache beside each of `filenames` (the `entry`'s own, if given), so that a
 * training run loads them through this loader (and can then write their caches); the build's
 * training runs call it first.
 */
export function seedCodeCaches(filenames: readonly string[], entry?: string): void {
  for (const filename of filenames)
    writeCache(filename, codeCachePath(filename, entry), Buffer.alloc(0));
}

/**
 * Writes the code cache of every chunk this process compiled, holding the bytecode of every
 * function that has run so far, to the cache file it was loaded with (a seed); the build calls
 * it after its training runs (scripts/train-code-cache.mjs). Returns the files written.
 */
export function writeCodeCaches(): string[] {
  return [...compiled].map(([filename, { script, cacheFile }]) =>
    writeCache(filename, cacheFile, script.createCachedData()),
  );
}

function writeCache(filename: string, file: string, data: Buffer): string {
  // Read again rather than kept: ~200 kB a process has no other use for.
  const source = readFileSync(filename);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(source.length);
  writeFileSync(file, Buffer.concat([Buffer.from(TAG), length, source, data]));
  return file;
}

/** The cache file `path` and its bytes, or undefined (none, or not one of ours). */
function readCacheFile(path: string): { path: string; data: Buffer } | undefined {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return undefined; // none for this Node (or unreadable): load as usual
  }
  const ours = data.length >= PREFIX && data.toString('latin1', 0, TAG.length) === TAG;
  return ours ? { path, data } : undefined;
}

/** V8's data in `cacheFile` if it was made from `source` (maybe empty: a seed), else undefined. */
function cachedDataFor(cacheFile: Buffer, source: Buffer): Buffer | undefined {
  const length = cacheFile.readUInt32LE(TAG.length);
  const made = cacheFile.subarray(PREFIX, PREFIX + length);
  if (length !== source.length || !made.equals(source)) return undefined;
  return cacheFile.subarray(PREFIX + length);
}
