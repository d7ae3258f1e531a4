/** Following a token file's symlinks only through what belongs to us. */
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TokenStorageError } from '../../errors.js';
import { othersCanWrite, ownedByUs, ownedByUsOrRoot, untrustedPath } from './file-owner.js';
import { lstat, readlink, realpath, stat } from './fs-calls.js';
import { describe, errorCode } from './fs-errors.js';

/**
 * The file a token path really names (following symlinks even when the last one dangles, so
 * a symlinked token file stays a symlink and its target is what gets replaced), refusing
 * with `untrusted_path` a link or folder on the way that another user owns, a folder others
 * can write without the sticky bit, and a target that is not a regular file of ours.
 */
export async function resolveTrustedTarget(filename: string): Promise<string> {
  let path = resolve(filename);
  for (let hops = 0; hops < 40; hops++) {
    await checkFolder(dirname(path), filename);
    const info = await lstatOrUndefined(path, filename);
    if (info === undefined) return realFolder(path);
    if (!info.isSymbolicLink()) {
      checkOwnRegular(path, info, filename);
      return realFolder(path);
    }
    if (!ownedByUsOrRoot(info)) {
      throw untrustedPath(
        filename,
        `the symbolic link ${path} belongs to another user (uid ${info.uid})`,
        `Remove the link ${path} if you did not make it, then try again.`,
      );
    }
    path = resolve(dirname(path), await readlink(path).catch(cannotResolve(filename)));
  }
  throw new TokenStorageError(`Too many symbolic links while resolving ${filename}.`, { filename });
}

/** A token file that exists must be a regular file of ours: never replaced or moved otherwise. */
function checkOwnRegular(path: string, info: Stats, filename: string): void {
  if (!info.isFile()) {
    throw new TokenStorageError(
      `The token file ${filename}${path === resolve(filename) ? '' : ` (${path})`} is not a regular file: refusing to replace or move it.`,
      {
        filename,
        code: 'not_regular_file',
        hint: `Remove ${path} (it is not one native-login wrote), or choose another token file.`,
      },
    );
  }
  if (!ownedByUs(info)) {
    throw untrustedPath(
      filename,
      `${path} belongs to another user (uid ${info.uid})`,
      `Choose a token file of your own (with sudo, set HOME or --storage to a folder of root's).`,
    );
  }
}

/** The folder holding an entry must be ours (or root's) and closed to others, or sticky. */
async function checkFolder(dir: string, filename: string): Promise<void> {
  let folder = dir;
  let info: Stats | undefined;
  // A missing folder will be created in its nearest existing ancestor: check that one.
  for (;;) {
    try {
      info = await stat(folder);
      break;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' || dirname(folder) === folder) {
        throw cannotResolve(filename)(error);
      }
      folder = dirname(folder);
    }
  }
  if (!ownedByUsOrRoot(info)) {
    throw untrustedPath(
      filename,
      `its folder ${folder} belongs to another user (uid ${info.uid})`,
      'Keep the token file in a folder of your own, such as your home folder.',
    );
  }
  if (othersCanWrite(info)) {
    throw untrustedPath(
      filename,
      `its folder ${folder} can be written by other users and has no sticky bit`,
      `Run chmod go-w ${folder}, or keep the token file in a folder of your own.`,
    );
  }
}

/** `path` with its folder's real path, so every alias of one file shares one lock. */
async function realFolder(path: string): Promise<string> {
  try {
    return join(await realpath(dirname(path)), basename(path));
  } catch {
    return path; // the folder does not exist yet: it is created with the file
  }
}

async function lstatOrUndefined(path: string, filename: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw cannotResolve(filename)(error);
  }
}

function cannotResolve(filename: string) {
  return (error: unknown): never => {
    throw new TokenStorageError(
      `Could not resolve the token file ${filename} (${describe(error)}).`,
      {
        filename,
        cause: error,
        hint: 'Check the path and its permissions, or choose another token file.',
      },
    );
  };
}
