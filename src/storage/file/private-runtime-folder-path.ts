import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { nodeOs } from '../../node-os.js';
import { ownedByUs } from './file-owner.js';

/**
 * Where the private runtime folder is (see private-runtime-folder.ts, which creates and checks
 * it): apart, so that a reader can find it without loading the code that creates folders.
 */
export function privateRuntimeFolderPath(env: NodeJS.ProcessEnv): string {
  const runtime = env['XDG_RUNTIME_DIR'];
  return runtime
    ? join(runtime, 'native-login')
    : join(nodeOs().tmpdir(), `native-login-${process.getuid?.() ?? 'user'}`);
}

/** Whether `info` (from lstat) is a folder of this user that nobody else can enter. */
export function isPrivateFolder(info: Stats): boolean {
  // Windows has no modes to check: its temp folder is per user.
  const open = process.platform !== 'win32' && (info.mode & 0o077) !== 0;
  return info.isDirectory() && ownedByUs(info) && !open;
}
