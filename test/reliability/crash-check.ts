/**
 * What a token file must look like after a writer died: exactly the old or exactly the new
 * version (every byte), and what the dead writer left next to it (lock, temp files).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { keyPrefix, TRANSFER, versionOf, withAccessToken } from './token-text.js';

/** The version of the section's access token found in `text` (0: the original token). */
export function versionInFile(text: string, original: string): number | undefined {
  const key = `${keyPrefix(TRANSFER)}__access_token = `;
  for (const line of text.split('\n')) {
    if (!line.startsWith(key)) continue;
    const value = line.slice(key.length);
    if (value === original) return 0;
    const version = versionOf(value);
    if (version !== undefined) return version;
  }
  return undefined;
}

/** The exact bytes of version `v` of a file built as `base` (section token `original`). */
export function expectedText(
  base: string,
  original: string,
  tokenOf: (v: number) => string,
  v: number,
) {
  return v === 0 ? base : withAccessToken(base, original, tokenOf(v));
}

/** What is left next to the token file: the lock (and its content) and temp files. */
export async function leftovers(file: string): Promise<{
  lock: string | undefined;
  temps: number;
  staleAside: number;
}> {
  const lockPath = `${file}.lock`;
  const lock = existsSync(lockPath) ? await readFile(lockPath, 'utf8').catch(() => '') : undefined;
  const names = await readdir(dirname(file));
  const prefix = `.${basename(file)}.`;
  return {
    lock,
    temps: names.filter((name) => name.startsWith(prefix) && name.endsWith('.tmp')).length,
    staleAside: names.filter((name) => name.startsWith(`${basename(file)}.lock.stale-`)).length,
  };
}

/** A lock file's content in a few words: none, empty, or its pid. */
export function describeLock(lock: string | undefined): string {
  if (lock === undefined) return 'none';
  const pid = /"pid":(\d+)/.exec(lock)?.[1];
  return pid === undefined
    ? `present, without a pid (${lock.length} bytes)`
    : `present, pid ${pid}`;
}

/** Reads the file and says which allowed version it is, or why it is neither. */
export async function checkVersion(
  file: string,
  base: string,
  original: string,
  tokenOf: (v: number) => string,
  allowed: readonly number[],
): Promise<{ version: number | undefined; exact: boolean; size: number }> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const version = versionInFile(text, original);
  const exact =
    version !== undefined &&
    allowed.includes(version) &&
    text === expectedText(base, original, tokenOf, version);
  return { version, exact, size: text.length };
}
