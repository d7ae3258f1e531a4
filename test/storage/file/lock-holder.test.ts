import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  isStale,
  owner,
  type Seen,
  sameLock,
  thisMachine,
} from '../../../src/storage/file/lock-holder.js';

const here = thisMachine();
const STALE_MS = 10_000;

/** A look at a lock file holding `content`. */
const seen = (content: string, more: Partial<Seen> = {}): Seen => ({
  ino: 1,
  dev: 2,
  mtimeMs: 3,
  content,
  ...more,
});
const holder = (fields: Record<string, unknown>) => seen(`${JSON.stringify(fields)}\n`);

/** The pid of a process that has exited (its parent reaped it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

test('a live holder on this machine is never stale before staleMs; after it, any lock is', () => {
  const live = holder({ pid: process.pid, ...here });
  assert.equal(isStale(live, here, STALE_MS, 0), false);
  assert.equal(isStale(live, here, STALE_MS, STALE_MS), false);
  assert.equal(isStale(live, here, STALE_MS, STALE_MS + 1), true);
});

test('a dead holder is stale at once, but only judged on its own machine and pid namespace', () => {
  const pid = deadPid();
  assert.equal(isStale(holder({ pid, ...here }), here, STALE_MS, 0), true);
  // Another host, or another container with the same hostname: its pids mean nothing here.
  assert.equal(
    isStale(holder({ pid, ...here, hostname: `${here.hostname}-x` }), here, STALE_MS, 0),
    false,
  );
  const otherNamespace = { ...here, pidNamespace: 'pid:[1]' };
  assert.equal(isStale(holder({ pid, ...otherNamespace }), here, STALE_MS, 0), false);
});

test('a lock with no owner in it gets a moment of grace, then is stale', () => {
  for (const content of ['', '{"pid":', 'null', '{"pid":-4}']) {
    assert.equal(isStale(seen(content), here, STALE_MS, 500), false, content);
    assert.equal(isStale(seen(content), here, STALE_MS, 1001), true, content);
  }
});

test('owner reads only well-formed fields; sameLock compares file and content', () => {
  assert.deepEqual(owner(holder({ pid: 12, hostname: 'h', pidNamespace: 'n', extra: 1 })), {
    pid: 12,
    hostname: 'h',
    pidNamespace: 'n',
  });
  assert.deepEqual(owner(holder({ pid: 1.5, hostname: 7 })), {});
  assert.deepEqual(owner(seen('not json')), {});
  const a = seen('x');
  assert.equal(sameLock(a, seen('x')), true);
  assert.equal(sameLock(a, seen('y')), false);
  assert.equal(sameLock(a, seen('x', { mtimeMs: 4 })), false);
  assert.equal(sameLock(a, seen('x', { ino: 9 })), false);
});
