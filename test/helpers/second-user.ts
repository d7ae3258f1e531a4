/**
 * A second local user for the hostile-user tests: `nobody`, reached with setpriv, which needs
 * root (as in CI). Tests skip, visibly, when that is not possible.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

function probe(): { uid: number; gid: number } | string {
  if (process.getuid?.() !== 0) return 'needs root to act as a second user (nobody)';
  try {
    const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
    const ok = spawnSync('setpriv', [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      'true',
    ]);
    if (ok.status !== 0) return 'setpriv cannot switch to nobody';
    return { uid, gid };
  } catch {
    return 'no user nobody or no setpriv';
  }
}

const probed = probe();

/** Why second-user tests are skipped, or false when they can run. */
export const SECOND_USER_SKIP: string | false = typeof probed === 'string' ? probed : false;

/** The uid and gid of `nobody` (valid only when SECOND_USER_SKIP is false). */
export const NOBODY = typeof probed === 'string' ? { uid: -1, gid: -1 } : probed;

/** Runs `command args…` as nobody and returns its exit status; throws on a failure. */
export function asNobody(command: string, args: readonly string[]): void {
  const result = spawnSync(
    'setpriv',
    ['--reuid=nobody', '--regid=nogroup', '--clear-groups', command, ...args],
    { encoding: 'utf8', env: { ...process.env } },
  );
  if (result.status !== 0) {
    throw new Error(`as nobody: ${command} ${args.join(' ')} → ${result.status} ${result.stderr}`);
  }
}

/** A temp folder with `mode` (e.g. 0o1777 for a shared sticky folder), removed at the end. */
export async function folderWithMode(t: TestContext, mode: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'native-login-hostile-'));
  await chmod(dir, mode);
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
