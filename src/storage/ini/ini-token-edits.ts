import { TokenStorageError } from '../../errors.js';
import type { TokensByResourceServer } from '../../tokens/token-group.js';
import { flatGroupOf, flatPack, flatPrefix } from '../flat-keys.js';
import { removeSection, updateSections } from './ini-edit.js';
import { type IniDocument, interpolate } from './ini-format.js';
import { identityEdit, identitySection } from './ini-identities.js';
import { readSectionTokens } from './ini-tokens.js';

/**
 * Writing tokens into a parsed INI file (pure). Apart from reading (ini-tokens.ts) so that a
 * program that only reads tokens (`native-login token`) never loads the edit machinery.
 */

/**
 * The document with `tokens` merged into `section`: each group replaces that resource server's
 * group whole (all of its keys), every other line stays as it was. A damaged section is
 * refused (TokenFileCorrupt) rather than overwritten.
 */
export function writeSectionTokens(
  doc: IniDocument,
  section: string,
  tokens: TokensByResourceServer,
  filename: string,
): IniDocument {
  readSectionTokens(doc, section, filename);
  const values = flatPack(tokens, filename);
  const options = doc.sections.find((candidate) => candidate.name === section)?.options ?? [];
  // The section is valid, so each key group has exactly one resource_server field.
  const groupOwner = new Map<string, string>();
  for (const option of options) {
    const read = interpolate(option.raw);
    if (option.key.endsWith('__resource_server') && 'value' in read) {
      groupOwner.set(flatGroupOf(option.key), read.value);
    }
  }
  const replaced = new Set(Object.values(tokens).map((group) => group.resource_server));
  for (const rs of replaced) {
    const owner = groupOwner.get(flatGroupOf(flatPrefix(rs)));
    if (owner !== undefined && owner !== rs) {
      throw new TokenStorageError(
        `The resource servers "${rs}" and "${owner}" would share keys in section [${section}] of ${filename}.`,
        { filename, hint: 'Use JSONTokenStorage for such resource servers.' },
      );
    }
  }
  const remove = new Set(
    options
      .filter((option) => replaced.has(groupOwner.get(flatGroupOf(option.key)) ?? '\0'))
      .map((option) => option.key),
  );
  // Tokens and their identities change together, checked by one parse of the result.
  return updateSections(
    doc,
    [{ name: section, values, remove }, identityEdit(section, tokens)],
    filename,
  );
}

/** The document without `section`; a damaged section is refused, not deleted. */
export function clearSectionTokens(
  doc: IniDocument,
  section: string,
  filename: string,
): IniDocument {
  readSectionTokens(doc, section, filename);
  return removeSection(removeSection(doc, section, filename), identitySection(section), filename);
}
