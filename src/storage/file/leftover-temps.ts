/**
 * Temp files of atomic writes, and the removal of those a killed writer left behind. A writer
 * killed between creating its temp file and renaming it leaves `.<name>.<pid>.<machine>.<rand>.tmp`
 * beside the token file; nothing else would ever remove it. The next write (made under the
 * file's lock) removes the ones whose writer is certainly gone, and never one that may be live.
 */
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { lstat, readdir, unlink } from './fs-calls.js';

/**
 * Older than this, a temp file is litter whoever made it: a save writes a few kilobytes and
 * renames them at once, and a writer stalled this long under the lock has long lost it.
 */
export const LEFTOVER_TEMP_AGE_MS = 60 * 60 * 1000;

/**
 * Where this process runs (host and pid namespace): a pid in a temp name means something only
 * there. An FNV-1a hash is enough to tell machines apart, and costs no node:crypto load.
 */
let machine: string | undefined;
function thisMachine(): string {
  machine ??= fnv1a(`${hostname()}\0${pidNamespace() ?? ''}`);
  return machine;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * A random part for a temp or lock file name. It must be unique, not secret: every such file
 * is created with O_EXCL (`wx`) or link(2) in a folder only its owner can write (see
 * trusted-target), so a guessed name can only make the creation fail, never redirect it.
 * Math.random therefore serves, and spares the start-up cost of node:crypto (bench/ (b)).
 */
export function uniqueSuffix(): string {
  const part = () =>
    Math.floor(Math.random() * 0x1000000)
      .toString(16)
      .padStart(6, '0');
  return part() + part();
}

/** The temp file for an atomic write of `target`: in its folder, naming this process and machine. */
export function tempFileFor(target: string): string {
  const name = `.${basename(target)}.${process.pid}.${thisMachine()}.${uniqueSuffix()}.tmp`;
  return join(dirname(target), name);
}

/**
 * Removes temp files of `target`'s earlier writers that are certainly gone: made on this machine
 * by a pid that no longer runs, or older than LEFTOVER_TEMP_AGE_MS. Only regular files owned by
 * this user are touched; anything unexpected is left alone. Call it holding the file's lock.
 * Returns the names removed. Never throws: litter is not worth failing a save for.
 *
 * `fileSystemNowMs` is "now" by the clock that stamps the folder's files (the mtime of a file
 * just created there, e.g. the caller's own temp file): on a network file system, or in a
 * process whose clock was moved, this process's clock may be hours away from it.
 */
export async function removeLeftoverTemps(
  target: string,
  fileSystemNowMs: number,
): Promise<string[]> {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const parts = parseTempName(name.slice(prefix.length, -'.tmp'.length));
    if (parts === undefined || parts.pid === process.pid) continue;
    const path = join(dir, name);
    try {
      const info = await lstat(path);
      if (!info.isFile() || (process.getuid && info.uid !== process.getuid())) continue;
      const dead = parts.machine === thisMachine() && !isAlive(parts.pid);
      if (!dead && fileSystemNowMs - info.mtimeMs < LEFTOVER_TEMP_AGE_MS) continue;
      await unlink(path);
      removed.push(name);
    } catch {
      // Gone already, or not ours to remove: either way nothing to do.
    }
  }
  return removed;
}

/** `<pid>.<machine>.<rand>` (this version) or `<pid>.<rand>` (earlier versions: age only). */
function parseTempName(middle: string): { pid: number; machine: string | undefined } | undefined {
  const match = /^(\d+)\.(?:([0-9a-f]{8})\.)?[0-9a-f]{12}$/.exec(middle);
  if (!match?.[1]) return undefined;
  return { pid: Number(match[1]), machine: match[2] };
}

/** Whether a pid runs here; EPERM means it does (another user's process). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}
