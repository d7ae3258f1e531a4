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
 * This file is not bundled: the build compiles it to dist/load-chunk.js, which Node loads with
 * its own `require`, so that it can keep `import()` for the chunks (see importPackage); the
 * ES-module facade (dist/index.mjs) runs a copy of that code itself and registers it in
 * `require.cache` as dist/load-chunk.js, so that one instance serves a process either way.
 */
import { closeSync, existsSync, openSync, readFileSync, readvSync, writeFileSync } from 'node:fs';
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
  const chunkDir = dirname(filename);
  const modules = moduleCache ?? requireIn(chunkDir).cache;
  const known = modules[filename];
  if (known !== undefined) return known.exports;
  // The entry's own cache if it has one for this chunk, else the shared one: read into the
  // scratch buffer (below), followed by HEAD, the chunk's bytes and TAIL.
  const cacheFile =
    (entry === undefined ? undefined : readCacheFile(codeCachePath(filename, entry))) ??
    readCacheFile(codeCachePath(filename));
  if (cacheFile === undefined) return plain();
  const sourceStart = cacheFile.end + HEAD.length;
  const sourceEnd = readInto(filename, sourceStart, TAIL.length);
  const bytes = scratch as Buffer; // (readInto may have replaced it with a bigger one)
  putAscii(bytes, cacheFile.end, HEAD);
  putAscii(bytes, sourceEnd, TAIL);
  const made = bytes.readUInt32LE(TAG.length);
  // subarray + equals: `compare` with ranges checks its four numbers on its first call first.
  const same =
    made === sourceEnd - sourceStart &&
    PREFIX + made <= cacheFile.end &&
    bytes.subarray(PREFIX, PREFIX + made).equals(bytes.subarray(sourceStart, sourceEnd));
  const cachedData = same ? bytes.subarray(PREFIX + made, cacheFile.end) : undefined;
  // One string straight from the bytes, wrapper included: built from pieces, V8 would copy it
  // whole once more to flatten it before compiling. The build keeps chunks ASCII
  // (scripts/build.mjs), so this is a one-byte string, half the memory of a two-byte one.
  const text = bytes.toString('utf8', cacheFile.end, sourceEnd + TAIL.length);
  // V8 reads the cached data while the script compiles and keeps none of it: the scratch
  // buffer is free again once this returns.
  const script = new Script(text, {
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
  modules[filename] = module;
  // Chunks require each other as './name.js'; anything else (node:*) is Node's business.
  const chunkRequire = (request: string): unknown =>
    request.startsWith('./')
      ? loadChunk(chunkDir, request, () => requireIn(chunkDir)(join(chunkDir, request)), entry)
      : (builtin(request) ?? requireIn(chunkDir)(request));
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(module.exports, module.exports, chunkRequire, module, filename, chunkDir);
  } catch (error) {
    // As `require` does: a chunk that failed to load is not kept half-initialised.
    delete modules[filename];
    throw error;
  }
  module.loaded = true;
  return module.exports;
}

/**
 * `require.cache`, where Node's `require` keeps each module by file name: the chunks go there
 * too, so that a plain `require` of one gives the same module. It is `Module._cache`, which
 * every `require.cache` is: read there, it spares a start-up a createRequire (a Node without
 * it gets one).
 */
const moduleCache = (Module as unknown as { _cache?: NodeJS.Dict<NodeJS.Module> })._cache;

/**
 * A built-in module (`node:fs`), as `require` gives it, or undefined for anything else. Through
 * `process.getBuiltinModule` (Node 20.16 on) rather than `require`, whose first calls cost a
 * start-up ~0.05 ms more.
 */
function builtin(request: string): unknown {
  return request.startsWith('node:') ? process.getBuiltinModule?.(request) : undefined;
}

/** Node's `require` from each folder of chunks, made once (createRequire builds a module). */
const requires = new Map<string, NodeJS.Require>();

function requireIn(dir: string): NodeJS.Require {
  let found = requires.get(dir);
  if (found === undefined) {
    // A file name in the folder: `require` resolves from the folder, the name is not read.
    found = createRequire(join(dir, 'chunk.js'));
    requires.set(dir, found);
  }
  return found;
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

/**
 * The buffer the files of a burst of chunk loads are read into, one after the other, and
 * dropped when the burst is over (a promise reaction: chunks load synchronously, nested ones
 * too, and each is done with the buffer before its code runs and loads the next). Fresh memory
 * costs a page fault per 4 kB on first touch, ~2 µs each on the benchmark's virtual machine: a
 * buffer per file made the library's start-up touch ~100 kB more (docs/performance.md).
 */
let scratch: Buffer | undefined;

/** Room for the largest cache file and chunk together, with room to spare. */
const SCRATCH_BYTES = 512 * 1024;

/**
 * Reads the whole file `path` into the scratch buffer from byte `at` on, keeping `spare` bytes
 * free after it (and the bytes before `at`), and returns where it ends there.
 */
function readInto(path: string, at: number, spare: number): number {
  const fd = openSync(path, 'r');
  try {
    let end = at;
    for (;;) {
      if (scratch === undefined) {
        scratch = Buffer.allocUnsafeSlow(Math.max(SCRATCH_BYTES, 2 * at));
        // A promise's reaction, not queueMicrotask: that one builds an AsyncResource, whose
        // first use costs ~0.08 ms.
        void Promise.resolve().then(() => {
          scratch = undefined;
        });
      } else if (scratch.length - end < spare + 64 * 1024) {
        const bigger = Buffer.allocUnsafeSlow(2 * scratch.length);
        scratch.copy(bigger, 0, 0, end);
        scratch = bigger;
      }
      // readvSync rather than readSync: the same read(2), but readSync's argument checks
      // cost ~0.1 ms on their first call, and a start-up makes only first calls.
      const read = readvSync(fd, [scratch.subarray(end, scratch.length - spare)]);
      if (read === 0) return end;
      end += read;
    }
  } finally {
    closeSync(fd);
  }
}

/** Puts the ASCII `text` into `bytes` at `at`: a loop costs less than `write`'s first call. */
function putAscii(bytes: Buffer, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
}

/**
 * The cache file `path`, read into the scratch buffer from its start, or undefined (none, or
 * not one of ours). `end` is where it ends there.
 */
function readCacheFile(path: string): { path: string; end: number } | undefined {
  // A look first: a failed open throws an error with a stack, which costs several times more,
  // and the library's entry looks for an own cache of every chunk it loads (two have none).
  if (!existsSync(path)) return undefined;
  let end: number;
  try {
    end = readInto(path, 0, 0);
  } catch {
    return undefined; // unreadable: load as usual
  }
  const bytes = scratch as Buffer;
  if (end < PREFIX) return undefined;
  // Byte by byte: a decoding call's first use costs more than these 26 comparisons.
  for (let i = 0; i < TAG.length; i++) if (bytes[i] !== TAG.charCodeAt(i)) return undefined;
  return { path, end };
}
