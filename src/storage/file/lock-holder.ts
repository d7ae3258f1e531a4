import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { errorCode } from './fs-errors.js';

/**
 * Who holds a lock file and whether it is gone (file-lock.ts): the pid, host and pid
 * namespace the holder wrote, and the rules by which a waiter may judge the lock stale.
 */

/** One look at a lock file: which file it was, and what it held. */
export type Seen = { ino: number; dev: number; mtimeMs: number; content: string };

/** How long a lock with no owner in it (a writer between create and write) is left alone. */
const EMPTY_LOCK_GRACE_MS = 1000;

/** Where a lock holder runs: its pid is only meaningful there. */
export type Machine = { hostname: string; pidNamespace: string | undefined };

/** The pid namespace of this process on Linux (`pid:[4026531836]`), else undefined. */
function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** This process's machine: its hostname and pid namespace. */
export function thisMachine(): Machine {
  return { hostname: hostname(), pidNamespace: pidNamespace() };
}

/** What the holder wrote about itself; empty when it wrote nothing usable. */
export function owner(seen: Seen): { pid?: number; hostname?: string; pidNamespace?: string } {
  try {
    const parsed: unknown = JSON.parse(seen.content);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { pid, hostname: host, pidNamespace: namespace } = parsed as Record<string, unknown>;
    return {
      ...(Number.isSafeInteger(pid) && (pid as number) > 0 ? { pid: pid as number } : {}),
      ...(typeof host === 'string' ? { hostname: host } : {}),
      ...(typeof namespace === 'string' ? { pidNamespace: namespace } : {}),
    };
  } catch {
    // Empty or half-written: its creator is between open and write, or died there.
    return {};
  }
}

/** Whether two looks at the lock saw the very same file, unchanged. */
export function sameLock(a: Seen, b: Seen): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.mtimeMs === b.mtimeMs && a.content === b.content;
}

/**
 * Whether the lock may be taken over: seen unchanged past `staleMs` (`unchangedMs` on this
 * waiter's own clock), ownerless past a moment's grace, or held by a process that is gone from
 * this very machine and pid namespace.
 */
export function isStale(seen: Seen, host: Machine, staleMs: number, unchangedMs: number): boolean {
  if (unchangedMs > staleMs) return true;
  const { pid, hostname: holderHost, pidNamespace: holderNamespace } = owner(seen);
  // No owner in it: a lock left by the fallback path's writer dying between create and write
  // (ours are linked in whole). Give a live writer a moment, no more.
  if (pid === undefined && unchangedMs > EMPTY_LOCK_GRACE_MS) return true;
  // A pid means something only on the same machine and in the same pid namespace: two
  // containers sharing a hostname and a home folder must not judge each other's pids.
  if (pid === undefined || holderHost !== host.hostname) return false;
  if (holderNamespace !== host.pidNamespace) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, just someone else's.
    return errorCode(error) === 'ESRCH';
  }
}
