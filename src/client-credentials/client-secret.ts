/**
 * Where a confidential client's secret comes from: an option, a file only its owner can
 * read, or the NATIVE_LOGIN_CLIENT_SECRET variable. Never from argv (other users see it in
 * `ps`), and never quoted back in any message.
 */
import { constants } from 'node:fs';
import { UsageError } from '../errors.js';

/** The environment variable that holds the secret for the CLI and, as a fallback, the library. */
export const CLIENT_SECRET_ENV = 'NATIVE_LOGIN_CLIENT_SECRET';

/** Largest secret file read: a secret is a few dozen bytes, anything big is the wrong file. */
const MAX_SECRET_BYTES = 4096;

/** Where to look for the secret, in this order. */
export type ClientSecretSource = {
  clientSecret?: string | undefined;
  clientSecretFile?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** For tests: the platform whose permission rules apply (default `process.platform`). */
  platform?: NodeJS.Platform | undefined;
};

/** Whether any source of a secret is given (option, file or environment). */
export function hasClientSecret(source: ClientSecretSource): boolean {
  const env = source.env ?? process.env;
  return Boolean(source.clientSecret || source.clientSecretFile || env[CLIENT_SECRET_ENV]);
}

/** The secret from the first source given; a UsageError (naming no secret) otherwise. */
export async function readClientSecret(source: ClientSecretSource): Promise<string> {
  if (source.clientSecret !== undefined) return checkSecret(source.clientSecret, 'clientSecret');
  if (source.clientSecretFile !== undefined) {
    return readSecretFile(source.clientSecretFile, source.platform ?? process.platform);
  }
  const fromEnv = (source.env ?? process.env)[CLIENT_SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return checkSecret(fromEnv, CLIENT_SECRET_ENV);
  throw new UsageError('No client secret was given.', {
    code: 'client_secret_missing',
    hint: `Set ${CLIENT_SECRET_ENV}, or put the secret in a file only you can read (chmod 600) and pass --client-secret-file FILE.`,
  });
}

/**
 * Reads a secret file, refusing one that others may read: checked on the open file (fstat),
 * so the file cannot be swapped between the check and the read.
 */
export async function readSecretFile(filename: string, platform: NodeJS.Platform): Promise<string> {
  // Loaded here: `import 'native-login'` must not load node:fs/promises (~1 ms, bench/ (a)).
  const { open } = await import('node:fs/promises');
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(filename, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    throw new UsageError(`The client secret file ${filename} cannot be opened (${code}).`, {
      code: 'client_secret_file_unreadable',
      cause: error,
      hint: 'Check the path given with --client-secret-file.',
    });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new UsageError(`The client secret file ${filename} is not a regular file.`, {
        code: 'client_secret_file_unreadable',
      });
    }
    // Windows has no such mode bits; its ACLs are the user's to set.
    if (platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
      throw new UsageError(
        `The client secret file ${filename} can be read by others (mode ${mode}), so it is not used.`,
        { code: 'client_secret_file_unsafe', hint: `Run: chmod 600 ${filename}` },
      );
    }
    const buffer = Buffer.alloc(MAX_SECRET_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_SECRET_BYTES) {
      throw new UsageError(`The client secret file ${filename} is too big to hold a secret.`, {
        code: 'client_secret_file_unreadable',
      });
    }
    // A trailing newline (from `echo` or an editor) is not part of the secret.
    return checkSecret(buffer.subarray(0, bytesRead).toString('utf8').trim(), filename);
  } finally {
    await handle.close();
  }
}

function checkSecret(secret: string, where: string): string {
  if (typeof secret !== 'string' || secret.trim() === '') {
    throw new UsageError(`The client secret from ${where} is empty.`, {
      code: 'client_secret_missing',
    });
  }
  if (/[\r\n]/.test(secret.trim())) {
    throw new UsageError(`The client secret from ${where} holds more than one line.`, {
      code: 'client_secret_invalid',
      hint: 'The secret is one line, as Globus shows it.',
    });
  }
  return secret.trim();
}
