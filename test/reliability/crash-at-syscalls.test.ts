/**
 * Crash safety at the worst moments, deterministically: strace kills the writer with SIGKILL
 * on entry to one chosen system call of a save (`-e inject=…:signal=SIGKILL`), so the call
 * never happens. Random kills (crash-safety.test.ts) rarely land exactly there. After each
 * kill: the file is the complete old or new version, and the next save succeeds promptly.
 * Skipped, visibly, when strace is missing.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NativeClient } from '../../src/native-client.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { childEnv, script, start } from './children.js';
import { checkVersion, describeLock, leftovers } from './crash-check.js';
import { SecretScan } from './secret-scan.js';
import { hasStrace } from './strace-log.js';
import {
  clientIdFor,
  manySections,
  sectionGroup,
  TRANSFER,
  UNUSED_AUTH_URL,
  versionToken,
} from './token-text.js';

const SECTIONS = 100;
const SECTION = 50;
/** A lock nobody refreshed for 10 s is taken over anyway (docs/storage.md, "Safety"): promptly is less. */
const PROMPT_MS = 5000;
const STRACE = hasStrace();
const scan = new SecretScan();
const dir = await mkdtemp(join(tmpdir(), 'native-login-syscalls-'));
after(() => rm(dir, { recursive: true, force: true }));

type Moment = {
  name: string;
  /** What the kill stops, for the diagnostics. */
  what: string;
  syscalls: string;
  /** Only calls on this path (relative to the token file), when set. */
  path?: (file: string) => string;
  /** The strace log line of the call that was killed. */
  killed?: RegExp;
  /** The version the file must hold afterwards: 0 old, 1 new. */
  expect: 0 | 1;
};

const MOMENTS: Moment[] = [
  {
    // The lock is written whole to a private temp file, then linked into place.
    name: 'linking the written lock into place',
    what: 'the lock was written to its temp file but never linked: no lock exists',
    syscalls: 'link,linkat',
    killed: /link[a-z]*\(.*\.lock\.\d+\.[0-9a-f]+\.tmp", .*tokens\.cfg\.lock"/,
    expect: 0,
  },
  {
    name: 'removing the lock temp after linking it',
    what: "the lock is in place with the dead writer's pid in it",
    syscalls: 'unlink,unlinkat',
    killed: /unlink[a-z]*\(.*\.lock\.\d+\.[0-9a-f]+\.tmp"/,
    expect: 0,
  },
  {
    name: 'fsync of the temp file',
    what: 'the new version is in a temp file, not synced, not renamed',
    syscalls: 'fsync,fdatasync',
    expect: 0,
  },
  {
    name: 'the rename over the token file',
    what: 'the new version is complete in a temp file but never renamed',
    // strace's -P does not match rename's paths, so every rename is caught; the log must show
    // that the one killed was ours.
    syscalls: 'rename,renameat,renameat2',
    killed: /rename[a-z0-9]*\(.*\.tmp", .*tokens\.cfg"/,
    expect: 0,
  },
  {
    name: 'removing the lock',
    what: 'the new version is in place, the lock of the dead writer stays',
    syscalls: 'unlink,unlinkat',
    path: (file) => `${file}.lock`,
    expect: 1,
  },
];

describe('kill -9 at chosen system calls of a save (strace)', {
  skip: STRACE ? false : 'strace is not installed',
}, () => {
  for (const [index, moment] of MOMENTS.entries()) {
    test(`killed on ${moment.name}: old or new file, and the next save is prompt`, async (t) => {
      const laneDir = join(dir, `moment-${index}`);
      await mkdir(laneDir);
      const file = join(laneDir, 'tokens.cfg');
      const base = manySections(SECTIONS, sectionGroup);
      const original = sectionGroup(SECTION).access_token;
      await writeFile(file, base, { mode: 0o600 });
      const log = join(laneDir, 'strace.log');
      const filter = moment.path ? ['-P', moment.path(file)] : [];
      const writer = start(
        'strace',
        [
          '-f',
          '-qq',
          '-o',
          log,
          ...filter,
          '-e',
          `trace=${moment.syscalls}`,
          '-e',
          `inject=${moment.syscalls}:signal=SIGKILL`,
          process.execPath,
          '--import',
          'tsx',
          script('writer-child.ts'),
          file,
          String(SECTION),
          '1',
          '1',
        ],
        childEnv(laneDir),
      );
      await writer.ended;
      scan.capture(`${moment.name}: writer stderr`, writer.stderr());
      const traced = await readFile(log, 'utf8');
      assert.match(traced, /killed by SIGKILL/, `strace did not kill the writer: ${traced}`);
      if (moment.killed) assert.match(traced, moment.killed, 'the call killed was not ours');
      assert.doesNotMatch(
        writer.stdout(),
        /^done /m,
        'the writer was killed before its save ended',
      );
      const check = await checkVersion(file, base, original, versionToken, [moment.expect]);
      const left = await leftovers(file);
      const client = new NativeClient({
        clientId: clientIdFor(SECTION),
        authBaseUrl: UNUSED_AUTH_URL,
        tokenStorage: new MultiClientTokenStorage({ filename: file }),
        env: {},
      });
      const started = performance.now();
      await client.saveTokens({
        [TRANSFER]: { ...sectionGroup(SECTION), access_token: versionToken(2) },
      });
      const took = performance.now() - started;
      const landed = await checkVersion(file, base, original, versionToken, [2]);
      scan.addFromFolder(laneDir);
      t.diagnostic(
        `killed on ${moment.name} (${moment.what}): file is version ${check.version === 1 ? 'new' : check.version === 0 ? 'old' : String(check.version)} ` +
          `(exact: ${check.exact}); left behind: lock ${describeLock(left.lock)}, ` +
          `${left.temps} temp file(s); the next save took ${took.toFixed(0)} ms`,
      );
      assert.ok(check.exact, `the file is not exactly version ${moment.expect}`);
      assert.ok(landed.exact, 'the next save landed');
      assert.ok(
        took < PROMPT_MS,
        `the next save waited ${(took / 1000).toFixed(1)} s for the lock left by the dead writer (${describeLock(left.lock)}): ` +
          'a lock without a pid is only taken over once nobody touched it for staleMs (10 s)',
      );
    });
  }
});

scan.checkAtEnd(async () => {
  await scan.addFromFolder(dir);
});
