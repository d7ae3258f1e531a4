import {
  setEntry,
  type TokenGroup,
  type TokensByResourceServer,
} from '../../tokens/token-group.js';
import { flatPrefix } from '../flat-keys.js';
import type { SectionEdit } from './ini-edit.js';
import { type IniDocument, interpolate } from './ini-format.js';

/**
 * The identity (id_token `sub`) and issuer of each token group, kept in a section of its own,
 * `[native-login:<section>]`, because fair-research-login refuses unknown fields inside a
 * token section but ignores other sections. Each identity is bound to a short hash of the
 * access token it was recorded with: after Python rewrites a group (another login, a
 * refresh), the stale identity no longer matches and is simply not reported. Advisory
 * data: anything odd in this section is ignored, never an error.
 */

/** The section holding the identities of section `section`'s tokens. */
export function identitySection(section: string): string {
  return `native-login:${section}`;
}

/**
 * A 64-bit fingerprint of an access token (FNV-1a): it only tells tokens apart, so that an
 * identity recorded for one token is not claimed for another one Python wrote later. Not a
 * cryptographic hash on purpose: it sits in the same 0600 file as the token itself, and
 * loading node:crypto would cost `native-login token` a tenth of its start-up.
 */
export function tokenFingerprint(accessToken: string): string {
  // The 64-bit state in two 32-bit halves: BigInt arithmetic allocated three numbers a byte.
  // The prime is 0x100 · 2^32 + 0x1b3, so (hi · 2^32 + lo) · prime mod 2^64 has the low half
  // lo · 0x1b3 mod 2^32 and the high half hi · 0x1b3 + lo · 0x100 + the low product's carry
  // (mod 2^32); every product stays under 2^42, exact in a double. Buffer.from encodes as
  // TextEncoder does (a lone surrogate as U+FFFD) without building a TextEncoder first.
  const bytes = Buffer.from(accessToken, 'utf8');
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ (bytes[i] as number)) >>> 0;
    const low = lo * 0x1b3;
    hi = (hi * 0x1b3 + lo * 0x100 + Math.floor(low / 0x100000000)) >>> 0;
    lo = low >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** `tokens` with `identity_id` set where a recorded identity matches the access token. */
export function attachIdentities(
  doc: IniDocument,
  section: string,
  tokens: TokensByResourceServer,
): TokensByResourceServer {
  const options = doc.sections.find((s) => s.name === identitySection(section))?.options;
  if (!options) return tokens;
  const values = new Map<string, string>();
  for (const option of options) {
    const read = interpolate(option.raw);
    if ('value' in read) values.set(option.key, read.value);
  }
  const out: TokensByResourceServer = { ...tokens };
  for (const [rs, group] of Object.entries(tokens)) {
    const prefix = flatPrefix(group.resource_server);
    const id = values.get(`${prefix}__identity_id`);
    const issuer = values.get(`${prefix}__issuer`);
    const bound = values.get(`${prefix}__access_token_fingerprint`);
    if (bound !== tokenFingerprint(group.access_token)) continue;
    const known: TokenGroup = { ...group };
    if (id && group.identity_id === undefined) known.identity_id = id;
    if (issuer && group.issuer === undefined) known.issuer = issuer;
    setEntry(out, rs, known);
  }
  return out;
}

/** The edit that records (or forgets) the identity of each group written to `section`. */
export function identityEdit(section: string, tokens: TokensByResourceServer): SectionEdit {
  const values = new Map<string, string>();
  const remove = new Set<string>();
  for (const group of Object.values(tokens)) {
    const prefix = flatPrefix(group.resource_server);
    const bound = `${prefix}__access_token_fingerprint`;
    for (const [key, value] of [
      [`${prefix}__identity_id`, group.identity_id],
      [`${prefix}__issuer`, group.issuer],
    ] as const) {
      if (value) values.set(key, value);
      else remove.add(key);
    }
    if (group.identity_id || group.issuer) values.set(bound, tokenFingerprint(group.access_token));
    else remove.add(bound);
  }
  return { name: identitySection(section), values, remove, dropIfEmpty: true };
}
