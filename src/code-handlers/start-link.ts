/**
 * The one-time loopback link given to the browser instead of the authorize URL: a browser is
 * started with its URL in argv, which every local user can read in /proc/<pid>/cmdline, and
 * the authorize URL's state and PKCE challenge are what a login-CSRF attacker needs.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** The path prefix of start links on the local server. */
export const START_PREFIX = '/start/';

/** `/start/<random>` that redirects once to the authorize URL; any second use is suspect. */
export class StartLink {
  /** The path, e.g. `/start/3q2-…` (192 random bits). */
  readonly path: string;
  readonly #target: string;
  #opened = false;

  constructor(authorizeUrl: string) {
    this.path = `${START_PREFIX}${randomBytes(24).toString('base64url')}`;
    this.#target = authorizeUrl;
  }

  /** Whether `path` is this link (compared in constant time). */
  matches(path: string): boolean {
    const a = Buffer.from(path);
    const b = Buffer.from(this.path);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** The authorize URL the first time; undefined ever after. */
  open(): string | undefined {
    if (this.#opened) return undefined;
    this.#opened = true;
    return this.#target;
  }
}

/** The path of a request URL when it is under `/start/`, else undefined. */
export function startPathOf(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith(START_PREFIX)) return undefined;
  return url.split(/[?#]/, 1)[0];
}
