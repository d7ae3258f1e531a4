/**
 * How the built package (dist/, scripts/build.mjs) loads its chunks: as `require` would, but
 * with the V8 code cache that the build wrote beside each chunk. A fresh process then reads
 * the bytecode of the functions a usual run calls instead of parsing and compiling ~200 kB of
 * source (bench/ (a), (b), (c): 3–5 ms of a 20–30 ms start-up). Node 20 has no
 * `module.enableCompileCache`, and its `require` takes no cached data, hence this loader.
 *
 * A cache is used only if it was made from exactly these bytes (V8 itself checks only the
 * source's length) by this Node (its version and architecture are in the file name; V8 also
 * refuses data from other V8 builds or flags). Otherwise the chunk compiles as `require` would,
 * for the price of one failed open or one read. Caches are written by the build alone, never
 * at run time: an installed package may be read-only or shared by users who do not trust each
 * other, and cached bytecode is code.
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

/** What became of a chunk's cache in this process. */
export type CodeCacheUse = 'used' | 'rejected' | 'absent';

/** The chunks compiled by this process, for {@link writeCodeCaches} and the tests. */
const compiled = new Map<string, { script: Script; cache: CodeCacheUse }>();

/** Where the code cache of the chunk `filename` is for this Node. */
export function codeCachePath(filename: string): string {
  return `${filename}.${process.version}-${process.arch}.cache`;
}

/**
 * The exports of the chunk `id` (`./core.js`) relative to `dir`, loaded once per process and
 * kept in `require.cache`, so that a plain `require` of the same file gives the same module.
 * `bundled` is the entry's plain `require` of the chunk: when a bundler (esbuild, webpack,
 * ncc) has packed the package into one file, the chunk is not on disk and the bundle has it.
 */
export function loadChunk(dir: string, id: string, bundled?: () => unknown): unknown {
  const filename = join(dir, id);
  const nodeRequire = createRequire(filename);
  const known = nodeRequire.cache[filename];
  if (known !== undefined) return known.exports;
  let source: Buffer;
  try {
    source = readFileSync(filename);
  } catch (error) {
    if (bundled !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      return bundled();
    }
    throw error;
  }
  const cachedData = cacheFor(filename, source);
  const script = new Script(`${HEAD}${source.toString('utf8')}${TAIL}`, {
    filename,
    ...(cachedData !== undefined && { cachedData }),
  });
  const cache =
    cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
  compiled.set(filename, { script, cache });
  const module = new Module(filename) as NodeJS.Module;
  module.filename = filename;
  nodeRequire.cache[filename] = module;
  const chunkDir = dirname(filename);
  // Chunks require each other as './name.js'; anything else (node:*) is Node's business.
  const chunkRequire = (request: string): unknown =>
    request.startsWith('./') ? loadChunk(chunkDir, request) : nodeRequire(request);
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

/**
 * Writes the code cache of every chunk this process compiled, holding the bytecode of every
 * function that has run so far; the build calls it after a training run (scripts/
 * train-code-cache.mjs). Returns the files written.
 */
export function writeCodeCaches(): string[] {
  const written: string[] = [];
  for (const [filename, { script }] of compiled) {
    // Read again rather than kept: ~200 kB a process has no other use for.
    const source = readFileSync(filename);
    const length = Buffer.alloc(4);
    length.writeUInt32LE(source.length);
    const file = codeCachePath(filename);
    writeFileSync(
      file,
      Buffer.concat([Buffer.from(TAG), length, source, script.createCachedData()]),
    );
    written.push(file);
  }
  return written;
}

/** V8's data from the cache of `filename` if it was made from `source`, else undefined. */
function cacheFor(filename: string, source: Buffer): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(codeCachePath(filename));
  } catch {
    return undefined; // none for this Node (or unreadable): compile as usual
  }
  if (data.length < PREFIX || data.toString('latin1', 0, TAG.length) !== TAG) return undefined;
  const length = data.readUInt32LE(TAG.length);
  const made = data.subarray(PREFIX, PREFIX + length);
  if (length !== source.length || !made.equals(source)) return undefined;
  return data.subarray(PREFIX + length);
}
