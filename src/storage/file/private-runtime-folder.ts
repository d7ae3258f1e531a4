import { TokenStorageError } from '../../errors.js';
import { TOKEN_DIR_MODE } from './atomic-write.js';
import { lstat, makeDirs } from './fs-calls.js';
import { describe } from './fs-errors.js';
import { isPrivateFolder, privateRuntimeFolderPath } from './private-runtime-folder-path.js';

/**
 * A folder only this user can enter, for lock files of storages that have no file of their
 * own (keychains have no locks) and for the memos of checked token files (check-memo.ts):
 * `$XDG_RUNTIME_DIR/native-login` when there is one (private already, emptied at logout),
 * else `<tmpdir>/native-login-<uid>`. In a shared /tmp anyone could create that name first,
 * so it is used only if it is a real folder, ours, mode 0700.
 */
export async function privateRuntimeFolder(env: NodeJS.ProcessEnv): Promise<string> {
  const folder = privateRuntimeFolderPath(env);
  try {
    await makeDirs(folder, TOKEN_DIR_MODE);
    if (!isPrivateFolder(await lstat(folder))) {
      throw new TokenStorageError(
        `The lock folder ${folder} is not a private folder of this user (owner, mode or type).`,
        {
          filename: folder,
          hint: `Remove ${folder} (someone else may have created it), then try again.`,
        },
      );
    }
  } catch (error) {
    if (error instanceof TokenStorageError) throw error;
    throw new TokenStorageError(
      `Could not create the lock folder ${folder} (${describe(error)}).`,
      {
        filename: folder,
        cause: error,
      },
    );
  }
  return folder;
}
