/**
 * What the command line shows and how it ends: exit codes, the one-line error with its hint,
 * colour (only on a terminal, never with NO_COLOR), durations and plain-text tables.
 * Imports only the error classes, so every command can use it without loading more.
 */
import {
  AuthFailure,
  AuthServerError,
  IdentityMismatch,
  InvalidIdToken,
  InvalidTokenFormat,
  IssuerMismatch,
  KeychainUnavailable,
  LoadError,
  LoginCancelled,
  LoginException,
  NetworkError,
  TokenFileCorrupt,
  TokenStorageError,
  UsageError,
} from '../errors.js';
import { printable } from '../terminal-text.js';

/** The documented exit codes of `native-login` (docs/cli.md, "Exit codes"). */
export const EXIT = Object.freeze({
  ok: 0,
  unexpected: 1,
  usage: 2,
  loginAgain: 3,
  authServer: 4,
  storage: 5,
  /** The login waited longer than --timeout (as timeout(1) exits). */
  timedOut: 124,
  cancelled: 130,
});

/** The streams and environment a command runs with (the real process's in `main`). */
export type CliIo = {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Where a pasted code is read from (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
};

/** The exit code for an error thrown by a command. */
export function exitCodeFor(error: unknown): number {
  // A stale or wrong auth URL: a matter of configuration, like a bad flag.
  if (error instanceof UsageError || error instanceof IssuerMismatch) return EXIT.usage;
  if (error instanceof LoginCancelled) {
    const cause = error.cause;
    return cause instanceof Error && cause.name === 'TimeoutError' ? EXIT.timedOut : EXIT.cancelled;
  }
  // A damaged file is a LoadError too, but logging in again is not the first thing to try.
  if (
    error instanceof TokenFileCorrupt ||
    error instanceof TokenStorageError ||
    error instanceof KeychainUnavailable
  ) {
    return EXIT.storage;
  }
  // Stored tokens that fail validation arrive as TokenStorageError (readValidTokens), so a
  // bare InvalidTokenFormat is a token the server sent.
  if (error instanceof InvalidTokenFormat) return EXIT.authServer;
  // Tokens of another identity: the person must log out and log in again (as one identity).
  if (error instanceof LoadError || error instanceof IdentityMismatch) return EXIT.loginAgain;
  if (
    error instanceof AuthServerError ||
    error instanceof NetworkError ||
    error instanceof InvalidIdToken ||
    error instanceof AuthFailure
  ) {
    return EXIT.authServer;
  }
  return EXIT.unexpected;
}

/** Whether messages on `stream` may be coloured: a terminal, NO_COLOR unset, TERM not dumb. */
export function useColor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** ANSI styles that turn into no-ops when colour is off. */
export type Styles = {
  red: (text: string) => string;
  green: (text: string) => string;
  yellow: (text: string) => string;
  bold: (text: string) => string;
  dim: (text: string) => string;
};

/** Styles for a stream, following {@link useColor}. */
export function stylesFor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): Styles {
  const on = useColor(stream, env);
  const wrap = (open: number, close: number) => (text: string) =>
    on ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    bold: wrap(1, 22),
    dim: wrap(2, 22),
  };
}

/** Whether stack traces are wanted (`--debug` or NATIVE_LOGIN_DEBUG set to a true value). */
export function debugEnabled(env: NodeJS.ProcessEnv, flag = false): boolean {
  const value = env['NATIVE_LOGIN_DEBUG'];
  return flag || (value !== undefined && !['', '0', 'false', 'no'].includes(value.toLowerCase()));
}

/** Collapses a message to one line (messages never carry tokens, but may carry newlines). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The error as people see it: `native-login: <message>` and, when there is one, a hint line.
 * With `debug`, the stack and the chain of causes follow.
 */
export function formatError(error: unknown, styles: Styles, debug: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  // Messages can quote a server or a redirect: printable() keeps their escapes off the terminal.
  let out = `${styles.red('native-login: error:')} ${printable(oneLine(message), 2000)}\n`;
  const hint = error instanceof LoginException ? error.hint : undefined;
  if (hint) out += `${styles.dim('hint:')} ${printable(oneLine(hint), 2000)}\n`;
  else if (!(error instanceof LoginException)) {
    out += `${styles.dim('hint:')} This looks like a bug; run again with --debug and report it.\n`;
  }
  if (debug) {
    let current: unknown = error;
    for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
      const stack = current instanceof Error ? (current.stack ?? current.message) : String(current);
      const safe = stack
        .split('\n')
        .map((line) => printable(line, 2000))
        .join('\n    ');
      out += `${depth === 0 ? '' : 'caused by: '}${safe}\n`;
      current = current instanceof Error ? current.cause : undefined;
    }
  }
  return out;
}

/** "1d 2h", "47h 59m", "5m 3s", "12s": the largest two units, for people. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const units: [string, number][] = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || (parts.length > 0 && parts.length < 2)) parts.push(`${count}${name}`);
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? '0s' : parts.join(' ').replace(/ 0[a-z]$/, '');
}

/** "in 47h 59m" or "expired 3m 2s ago". */
export function describeExpiry(expiresAt: number, now: number): string {
  const left = expiresAt - now;
  return left > 0 ? `in ${formatDuration(left)}` : `expired ${formatDuration(-left)} ago`;
}

/** A plain-text table: columns padded to their widest cell, two spaces apart. */
export function formatTable(
  header: readonly string[],
  unsafeRows: readonly (readonly string[])[],
): string {
  // Cells hold names a server chose (resource servers, scopes): printable only.
  const rows = unsafeRows.map((row) => row.map((cell) => printable(cell, 10_000)));
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
