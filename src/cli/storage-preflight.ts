/**
 * Checks, before a login opens a browser, that its tokens can be saved: a token file the person
 * cannot write would otherwise be found only after the whole round trip (and the new tokens
 * revoked). Applies to file storages (an absolute path); other kinds are checked when opened.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { TokenStorageError } from '../errors.js';

/** Throws TokenStorageError when the token file, or the folder it goes in, cannot be written. */
export async function checkStorageWritable(storage: string): Promise<void> {
  if (!isAbsolute(storage)) return;
  if (await exists(storage)) {
    await mustWrite(storage, storage, 'the token file');
  }
  // The file is replaced through a temporary file and locked with a `.lock` file beside it, so
  // its folder (or the nearest one that exists, where the missing ones will be made) must be
  // writable too.
  let folder = dirname(storage);
  while (!(await exists(folder)) && dirname(folder) !== folder) folder = dirname(folder);
  await mustWrite(folder, storage, 'the folder of the token file');
}

async function mustWrite(path: string, storage: string, what: string): Promise<void> {
  try {
    await access(path, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TokenStorageError(
      `Tokens could not be saved: ${what}, ${path}, is not writable (${code}).`,
      {
        cause: error,
        filename: storage,
        hint: `Fix its permissions, or keep the tokens elsewhere with --storage PATH. Nothing was sent to Globus Auth.`,
      },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
