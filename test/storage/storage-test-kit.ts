import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { TokenGroup } from '../../src/tokens/token-group.js';
import { FAR_EXPIRY } from '../helpers/clock.js';

/** Shared helpers of the storage tests: temp folders, token groups, child processes. */

/** A fresh temp folder, removed when the test ends. */
export async function tempFolder(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'native-login-storage-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A valid token group for `rs` (fake token values). */
export function tokenGroup(rs: string, overrides: Partial<TokenGroup> = {}): TokenGroup {
  return {
    scope: `urn:globus:auth:scope:${rs}:all`,
    access_token: `fakeAT.${rs}`,
    refresh_token: `fakeRT.${rs}`,
    token_type: 'Bearer',
    expires_at_seconds: FAR_EXPIRY,
    resource_server: rs,
    ...overrides,
  };
}

/** The fair-research-login sample file written by the Python library (read-only). */
export const PYTHON_FIXTURE = fileURLToPath(
  new URL('../fixtures/python-native-apps.cfg', import.meta.url),
);

/** A child process's outcome. */
export type ChildResult = { code: number; stdout: string; stderr: string };

/** Runs a command to completion without a shell. */
export function run(command: string, args: string[], input?: string): Promise<ChildResult> {
  return new Promise((done) => {
    const child = execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
      done({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs `test/fixtures/storage-child.ts` with Node and tsx: `command args…`. */
export function runChild(args: string[]): Promise<ChildResult> {
  return run(process.execPath, ['--import', 'tsx', 'test/fixtures/storage-child.ts', ...args]);
}

/** Runs `test/fixtures/storage-python.py` (fair-research-login's rules): `command args…`. */
export function runPython(args: string[], input?: string): Promise<ChildResult> {
  return run('python3', ['test/fixtures/storage-python.py', ...args], input);
}
