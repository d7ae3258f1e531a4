/** Who may own what on the token file's path: the checks against a second local user. */
import type { Stats } from 'node:fs';
import { TokenStorageError } from '../../errors.js';

/** Our uid, or undefined where uids do not exist (Windows): ownership is then not checked. */
function ourUid(): number | undefined {
  return process.getuid?.();
}

/** Whether a file (a token file, a lock) is ours: another user's file is never trusted. */
export function ownedByUs(info: Stats): boolean {
  const uid = ourUid();
  return uid === undefined || info.uid === uid;
}

/** Whether a folder or a symlink is ours or root's (root can do anything anyway). */
export function ownedByUsOrRoot(info: Stats): boolean {
  return info.uid === 0 || ownedByUs(info);
}

/** Whether users other than the owner can add, rename or remove entries in a folder. */
export function othersCanWrite(info: Stats): boolean {
  // The sticky bit (as on /tmp) stops them renaming or removing entries they do not own.
  return ourUid() !== undefined && (info.mode & 0o022) !== 0 && (info.mode & 0o1000) === 0;
}

/** The typed error for a path another local user could control. */
export function untrustedPath(filename: string, why: string, fix: string): TokenStorageError {
  return new TokenStorageError(
    `Refusing to use the token file ${filename}: ${why}, so another local user could read or replace the tokens.`,
    { filename, code: 'untrusted_path', hint: fix },
  );
}
