/**
 * Made-up tokens and token files for the reliability suite: token groups, client ids, and
 * fair-research-login INI text with many sections, written the way configparser writes it.
 * The oracle here is deliberately independent of src/storage (no shared code).
 */
import type { TokenGroup } from '../../src/tokens/token-group.js';
import { FAR_EXPIRY } from '../helpers/clock.js';

/** The resource server most tests store. */
export const TRANSFER = 'transfer.api.globus.org';
/** Its scope. */
export const TRANSFER_SCOPE = 'urn:globus:auth:scope:transfer.api.globus.org:all';
/** Ten years after the test run started (by the clock in use), so nothing refreshes. */
export { FAR_EXPIRY };
/** An auth base URL nobody listens on: tests that must never reach Globus Auth use it. */
export const UNUSED_AUTH_URL = 'http://127.0.0.1:9/';

/** The fields in the order fair-research-login writes them. */
const FIELDS = [
  'scope',
  'access_token',
  'refresh_token',
  'token_type',
  'expires_at_seconds',
  'resource_server',
] as const;

/** A UUID-shaped client id, one per index. */
export function clientIdFor(index: number): string {
  return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

/** The access token of version `k`; lengths vary so a cut or a mix of two versions shows. */
export function versionToken(k: number): string {
  return `fakeAT-v${k}-${'x'.repeat((k * 37) % 211)}`;
}

/** The version in an access token made by `versionToken`, or undefined. */
export function versionOf(accessToken: string): number | undefined {
  const match = /^fakeAT-v(\d+)-x*$/.exec(accessToken);
  return match ? Number(match[1]) : undefined;
}

/** A valid token group with made-up values. */
export function fakeGroup(
  rs: string,
  tag: string,
  overrides: Partial<TokenGroup> = {},
): TokenGroup {
  return {
    scope: rs === 'auth.globus.org' ? 'openid profile email' : `urn:globus:auth:scope:${rs}:all`,
    access_token: `fakeAT.${tag}.${rs}`,
    refresh_token: `fakeRT.${tag}.${rs}`,
    token_type: 'Bearer',
    expires_at_seconds: FAR_EXPIRY,
    resource_server: rs,
    ...overrides,
  };
}

/** The key prefix configparser files use for a resource server. */
export function keyPrefix(rs: string): string {
  return rs.replaceAll('.', '_').toLowerCase();
}

/** One `[section]` with its groups, blank line after, as configparser writes it. */
export function sectionText(section: string, groups: readonly TokenGroup[]): string {
  const lines = [`[${section}]`];
  for (const group of groups) {
    for (const field of FIELDS) {
      const value = group[field];
      lines.push(`${keyPrefix(group.resource_server)}__${field} = ${value ?? ''}`);
    }
  }
  return `${lines.join('\n')}\n\n`;
}

/** A file of `count` sections (client ids `clientIdFor(0…count-1)`), one transfer group each. */
export function manySections(count: number, groupFor: (index: number) => TokenGroup): string {
  let text = '';
  for (let index = 0; index < count; index++) {
    text += sectionText(clientIdFor(index), [groupFor(index)]);
  }
  return text;
}

/** The default group of section `index` in `manySections` files. */
export function sectionGroup(index: number): TokenGroup {
  return fakeGroup(TRANSFER, `c${index}`);
}

/**
 * The file `base` after the library stored `accessToken` for the transfer group of the
 * section whose current access token is `current`: exactly one line differs.
 */
export function withAccessToken(base: string, current: string, accessToken: string): string {
  const key = `${keyPrefix(TRANSFER)}__access_token = `;
  const line = `${key}${current}\n`;
  const at = base.indexOf(line);
  if (at < 0 || base.indexOf(line, at + 1) >= 0) throw new Error('the line is not unique');
  return `${base.slice(0, at)}${key}${accessToken}\n${base.slice(at + line.length)}`;
}
