import { TokenFileCorrupt } from '../../errors.js';
import type { TokensByResourceServer } from '../../tokens/token-group.js';
import { flatUnpack } from '../flat-keys.js';
import { type IniDocument, interpolate } from './ini-format.js';
import { attachIdentities } from './ini-identities.js';

/**
 * Tokens in one section of a parsed INI file (pure): what `ConfigParserTokenStorage` and
 * `MultiClientTokenStorage` read and write, without the file system. Identities live in a
 * side section (see ini-identities.ts) so fair-research-login still reads the tokens.
 */

/** The tokens stored in `section`; `{}` when there is no such section. */
export function readSectionTokens(
  doc: IniDocument,
  section: string,
  filename: string,
): TokensByResourceServer {
  const corrupt = (line: number, what: string): TokenFileCorrupt =>
    new TokenFileCorrupt(`${filename} is damaged at line ${line}: ${what}.`, { filename, line });
  const shared = doc.defaults[0];
  if (shared) {
    // Python adds [DEFAULT] keys to every section: tokens there would belong to every client
    // and survive logging out of each of them.
    throw corrupt(shared.first + 1, 'it has keys under [DEFAULT], which apply to every section');
  }
  const options = doc.sections.find((candidate) => candidate.name === section)?.options ?? [];
  const entries = options.map((option) => {
    const read = interpolate(option.raw);
    if ('error' in read)
      throw corrupt(option.first + 1, `the key "${option.key}" has ${read.error}`);
    return { key: option.key, value: read.value, line: option.first + 1 };
  });
  return attachIdentities(doc, section, flatUnpack(entries, filename));
}
