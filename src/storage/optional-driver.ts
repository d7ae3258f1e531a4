import { TokenStorageError } from '../errors.js';
import { errorCode } from './file/fs-errors.js';

/**
 * Loads an optional dependency (a database driver) on first use, so that importing
 * native-login never loads it. A missing package becomes a TokenStorageError (code
 * `storage_driver_missing`) that says what to install.
 */
export async function loadOptionalDriver<T>(
  name: string,
  range: string,
  user: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = errorCode(error);
    const message = error instanceof Error ? error.message : '';
    // Only this package missing, not a file inside it or one of its own dependencies.
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      new RegExp(`['"]${name}['"]`).test(message);
    if (!missing) throw error;
    throw new TokenStorageError(`${user} needs the "${name}" package, which is not installed.`, {
      code: 'storage_driver_missing',
      cause: error,
      hint: `Install it next to native-login: npm install ${name}@${range}`,
    });
  }
}
