import { TokenStorageError } from '../../errors.js';
import { sleep } from '../../sleep.js';
import { TOKEN_FILE_MODE } from './atomic-write.js';
import {
  closeFile,
  dataSyncFile,
  link,
  openFile,
  rename,
  stat,
  statFile,
  unlink,
  writeAll,
} from './fs-calls.js';
import { describe, errorCode } from './fs-errors.js';
import { uniqueSuffix } from './leftover-temps.js';
import { isStale, type Machine, owner, type Seen, sameLock, thisMachine } from './lock-holder.js';
import { readOwnRegularFile } from './safe-read.js';

/** Timing of the cross-process lock (milliseconds). */
export type FileLockOptions = {
  /**
   * How long to wait for a live holder before giving up; default 200 000: longer than the
   * worst case of a refresh made under the lock (3 attempts of 60 s, docs "Timeouts"). A dead
   * or silent holder is taken over after `staleMs` anyway.
   */
  waitMs?: number;
  /**
   * A lock seen unchanged (same file, content and mtime) for this long, measured on the
   * waiter's own monotonic clock, is taken over; default 10 000. No clock is compared with
   * another: a holder on another host may be hours off ours, and so may the file server.
   */
  staleMs?: number;
  /** How often a holder touches its lock file to show it is alive; default 2 000. */
  refreshMs?: number;
};

/** A held lock; `release()` is safe to call once, on every path. */
export type HeldFileLock = { readonly path: string; release(): Promise<void> };

/** A lock holds one line of JSON; anything larger was not written by a lock holder. */
const MAX_LOCK_BYTES = 64 * 1024;

/**
 * Takes the cross-process lock `lockPath`: a file created with O_EXCL (mode 0600) holding
 * pid, host and time, touched every `refreshMs` while held. A lock whose process is dead on
 * this host, or that this waiter saw unchanged for `staleMs` of its own time, is taken over: renamed aside under a
 * unique name (only one taker can), checked to be the very file judged stale, then deleted.
 */
export async function acquireFileLock(
  lockPath: string,
  options: FileLockOptions = {},
): Promise<HeldFileLock> {
  const waitMs = options.waitMs ?? 200_000;
  const staleMs = options.staleMs ?? 10_000;
  const refreshMs = options.refreshMs ?? 2_000;
  const host = thisMachine();
  const deadline = Date.now() + waitMs;
  let delay = 5;
  let holder: Seen | undefined;
  // The lock as we last saw it change, and when (our monotonic time): a live holder touches it
  // every refreshMs, so a lock that stays the same for staleMs of our own time is abandoned.
  let watched: { seen: Seen; since: number } | undefined;
  for (;;) {
    const attempt = await tryCreate(lockPath, host);
    if (attempt) return hold(lockPath, attempt, refreshMs);
    holder = await inspect(lockPath);
    if (holder === undefined) continue;
    if (watched === undefined || !sameLock(watched.seen, holder)) {
      watched = { seen: holder, since: performance.now() };
    }
    if (isStale(holder, host, staleMs, performance.now() - watched.since)) {
      await takeOver(lockPath, holder);
      continue;
    }
    if (Date.now() >= deadline) throw timedOut(lockPath, holder, waitMs);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 200);
  }
}

/**
 * Creates the lock with its content already in it: written to a private temp file, then
 * link(2)ed into place, which fails with EEXIST like O_EXCL. A lock file is therefore never
 * seen empty, so a writer killed at any moment leaves a lock whose dead pid says it is stale.
 * Undefined when someone else holds it.
 */
async function tryCreate(
  lockPath: string,
  host: Machine,
): Promise<{ fd: number; content: string; tempRemoved: Promise<void> } | undefined> {
  const info = { pid: process.pid, ...host, createdAt: new Date().toISOString() };
  const content = `${JSON.stringify(info)}\n`;
  const temp = `${lockPath}.${process.pid}.${uniqueSuffix()}.tmp`;
  const removeTemp = () => unlink(temp).catch(() => undefined);
  let fd: number | undefined;
  try {
    fd = await openFile(temp, 'wx', TOKEN_FILE_MODE);
    await writeAll(fd, content);
    try {
      await link(temp, lockPath);
    } catch (error) {
      // A file system without hard links: fall back to creating the lock itself.
      if (errorCode(error) !== 'EPERM' && errorCode(error) !== 'ENOTSUP') throw error;
      const closing = closeFile(fd);
      fd = undefined;
      await closing;
      fd = await openFile(lockPath, 'wx', TOKEN_FILE_MODE);
      await writeAll(fd, content);
    }
    // The lock is held: its temp name goes while the caller works (release waits for it).
    return { fd, content, tempRemoved: removeTemp() };
  } catch (error) {
    if (fd !== undefined) await closeFile(fd).catch(() => undefined);
    await removeTemp();
    if (errorCode(error) === 'EEXIST') return undefined;
    throw new TokenStorageError(
      `Could not create the lock file ${lockPath} (${describe(error)}).`,
      {
        filename: lockPath,
        cause: error,
      },
    );
  }
}

/**
 * What the lock holds: opened without following links and without blocking (a FIFO or a
 * link to /dev/zero planted there fails at once), ours and regular only, read capped.
 */
async function inspect(path: string): Promise<Seen | undefined> {
  const read = await readOwnRegularFile(path, {
    what: 'lock file',
    maxBytes: MAX_LOCK_BYTES,
    noFollow: true,
  });
  if (read === undefined) return undefined;
  const content = new TextDecoder().decode(read.bytes);
  return { ino: read.ino, dev: read.dev, mtimeMs: read.mtimeMs, content };
}

async function takeOver(lockPath: string, stale: Seen): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${uniqueSuffix()}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return; // another taker was faster
    throw new TokenStorageError(
      `Could not remove the stale lock ${lockPath} (${describe(error)}).`,
      {
        filename: lockPath,
        cause: error,
      },
    );
  }
  const moved = await inspect(aside);
  const same = moved !== undefined && sameLock(moved, stale);
  // A racing taker's fresh lock was moved by mistake: put it back unless a third took the place.
  if (!same) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

function hold(
  lockPath: string,
  { fd, content, tempRemoved }: { fd: number; content: string; tempRemoved: Promise<void> },
  refreshMs: number,
): HeldFileLock {
  let touching: Promise<void> = Promise.resolve();
  // Touch our own inode through the open descriptor: if the lock was taken from us, we never
  // refresh someone else's. Rewriting the same bytes makes the file system stamp a new mtime
  // (waiters watch for changes, whatever the clock); the sync sends it to an NFS server now,
  // not at the client's next write-back, so other hosts see the holder alive.
  const timer = setInterval(() => {
    touching = touching.then(() =>
      writeAll(fd, content)
        .then(() => dataSyncFile(fd))
        .then(
          () => undefined,
          () => undefined,
        ),
    );
  }, refreshMs);
  timer.unref();
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await Promise.all([touching, tempRemoved]);
      try {
        // While our descriptor is open no other file can have our inode, so this check is exact.
        const [mine, current] = await Promise.all([
          statFile(fd),
          stat(lockPath).catch(() => undefined),
        ]);
        if (current && current.ino === mine.ino && current.dev === mine.dev) await unlink(lockPath);
      } finally {
        await closeFile(fd);
      }
    },
  };
}

function timedOut(lockPath: string, holder: Seen, waitMs: number): TokenStorageError {
  const { pid, hostname: host } = owner(holder);
  const who = pid === undefined ? '' : ` (held by process ${pid}${host ? ` on ${host}` : ''})`;
  return new TokenStorageError(
    `Timed out after ${Math.round(waitMs / 1000)} s waiting for the lock file ${lockPath}${who}.`,
    {
      filename: lockPath,
      // The holder is alive (it keeps touching the lock), so deleting the lock would only
      // let two writers race: say to wait for it instead.
      hint: `Another program${who} is still using these tokens: wait for it to finish, or stop it, then try again.`,
    },
  );
}
