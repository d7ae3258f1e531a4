import { TokenFileCorrupt, TokenStorageError } from '../errors.js';
import {
  escapeValue,
  type IniDocument,
  type IniOption,
  indentOf,
  interpolate,
  parseIni,
  pyStrip,
  serializeIni,
} from './ini-format.js';

/**
 * Edits of an INI parse tree that touch only the lines they must. Every edit re-parses its
 * result and checks that the rest of the file still reads the same and that the new values
 * read back exactly; otherwise it refuses (TokenStorageError) rather than write a file that
 * means something else than intended.
 */

type RawLine = { text: string; eol: string };
type Expected = { key: string; raw?: string; value?: string };

/** One section's change: keys to set (plain values), keys to remove. */
export type SectionEdit = {
  name: string;
  values: ReadonlyMap<string, string>;
  remove: ReadonlySet<string>;
  /** Remove the whole section when no key would be left in it. */
  dropIfEmpty?: boolean;
};

/**
 * Sets `values` (plain values; `%` and line breaks are escaped here) and removes the keys in
 * `remove` within section `name`. Existing keys keep their place and indentation, new keys go
 * after the section's last key; a missing section is appended the way configparser writes one.
 */
export function updateSection(
  doc: IniDocument,
  name: string,
  values: ReadonlyMap<string, string>,
  remove: ReadonlySet<string>,
  filename: string,
): IniDocument {
  return updateSections(doc, [{ name, values, remove }], filename);
}

/**
 * Applies edits of several sections in one pass and checks the result once (a token file
 * can be large: one parse instead of one per section).
 */
export function updateSections(
  doc: IniDocument,
  edits: readonly SectionEdit[],
  filename: string,
): IniDocument {
  const eol = doc.lines.find((line) => line.eol !== '')?.eol ?? '\n';
  const replaceAt = new Map<number, { option: IniOption; edit: SectionEdit }>();
  const appendAt = new Map<number, RawLine[]>();
  const dropFrom = new Map<number, number>();
  const appended: RawLine[] = [];
  const expected = new Map<string, Expected[] | undefined>();
  for (const edit of edits) {
    const { name, values, remove } = edit;
    const section = doc.sections.find((candidate) => candidate.name === name);
    if (!section) {
      if (values.size === 0) continue;
      appended.push({ text: `[${name}]`, eol });
      for (const [key, value] of values) appended.push(...optionLines('', key, value, eol));
      appended.push({ text: '', eol });
      expected.set(
        name,
        [...values].map(([key, value]) => ({ key, value })),
      );
      continue;
    }
    const kept = section.options.filter((o) => values.has(o.key) || !remove.has(o.key));
    const added = [...values].filter(([key]) => !section.options.some((o) => o.key === key));
    if (edit.dropIfEmpty && kept.length === 0 && added.length === 0) {
      let last = section.options.at(-1)?.last ?? section.header;
      while (doc.lines[last + 1]?.kind === 'blank') last++;
      dropFrom.set(section.header, last);
      expected.set(name, undefined);
      continue;
    }
    for (const option of section.options) {
      if (values.has(option.key) || remove.has(option.key))
        replaceAt.set(option.first, { option, edit });
    }
    const anchor = kept.at(-1);
    const anchorIndent = indentOf(doc.lines[anchor ? anchor.first : section.header]?.text ?? '');
    appendAt.set(
      anchor ? anchor.last : section.header,
      added.flatMap(([key, value]) => optionLines(anchorIndent, key, value, eol)),
    );
    expected.set(name, [
      ...kept.map((o) => {
        const value = values.get(o.key);
        return value === undefined ? { key: o.key, raw: o.raw } : { key: o.key, value };
      }),
      ...added.map(([key, value]) => ({ key, value })),
    ]);
  }
  if (expected.size === 0) return doc;
  const out: RawLine[] = [];
  for (let index = 0; index < doc.lines.length; index++) {
    const dropTo = dropFrom.get(index);
    if (dropTo !== undefined) {
      index = dropTo;
      continue;
    }
    const line = doc.lines[index] as RawLine;
    const replaced = replaceAt.get(index);
    if (replaced) {
      const { option, edit } = replaced;
      const end = doc.lines[option.last]?.eol ?? eol;
      const value = edit.values.get(option.key);
      if (value !== undefined)
        out.push(...optionLines(indentOf(line.text), option.key, value, end));
      index = option.last;
    } else {
      out.push({ text: line.text, eol: line.eol });
    }
    const add = appendAt.get(index);
    if (add) out.push(...add);
  }
  if (appended.length > 0) {
    const last = out.at(-1);
    if (last && pyStrip(last.text) !== '') out.push({ text: '', eol });
    out.push(...appended);
  }
  return checked(doc, out, expected, filename);
}

/** Removes section `name` (header through its last key, and the blank lines after it). */
export function removeSection(doc: IniDocument, name: string, filename: string): IniDocument {
  const section = doc.sections.find((candidate) => candidate.name === name);
  if (!section) return doc;
  let end = section.options.at(-1)?.last ?? section.header;
  while (doc.lines[end + 1]?.kind === 'blank') end++;
  const out = doc.lines
    .filter((_, index) => index < section.header || index > end)
    .map(({ text, eol }) => ({ text, eol }));
  return checked(doc, out, new Map([[name, undefined]]), filename);
}

function optionLines(indent: string, key: string, value: string, eol: string): RawLine[] {
  // configparser writes `key = ` (with the space) for an empty value; so do we.
  const [first = '', ...rest] = escapeValue(value).split('\n');
  return [
    { text: `${indent}${key} = ${first}`, eol },
    ...rest.map((part) => ({ text: `${indent}${part}`, eol })),
  ];
}

function checked(
  before: IniDocument,
  out: RawLine[],
  expected: ReadonlyMap<string, Expected[] | undefined>,
  filename: string,
): IniDocument {
  // Only the file's very end may lack a line break.
  const eol = before.lines.find((line) => line.eol !== '')?.eol ?? '\n';
  out.forEach((line, index) => {
    if (line.eol === '' && index < out.length - 1) line.eol = eol;
  });
  const names = [...expected.keys()];
  const refuse = (what: string): never => {
    throw new TokenStorageError(
      `Cannot update section [${names.join('], [')}] of ${filename} safely: ${what}. The file was not changed.`,
      { filename, hint: `Edit ${filename} by hand, or move it aside and log in again.` },
    );
  };
  let after: IniDocument;
  try {
    after = parseIni(out.map((line) => line.text + line.eol).join(''), filename);
  } catch (error) {
    if (error instanceof TokenFileCorrupt) return refuse('the result would not parse');
    throw error;
  }
  if (!sameOutside(before, after, new Set(names))) {
    refuse('the rest of the file would read differently');
  }
  for (const [name, want] of expected) {
    const section = after.sections.find((candidate) => candidate.name === name);
    if (want === undefined) {
      if (section) refuse('the section would remain');
      continue;
    }
    const got = section?.options ?? [];
    const same =
      got.length === want.length &&
      got.every((option, index) => {
        const wanted = want[index] as Expected;
        if (option.key !== wanted.key) return false;
        if (wanted.raw !== undefined) return option.raw === wanted.raw;
        const read = interpolate(option.raw);
        return 'value' in read && read.value === wanted.value;
      });
    if (!same) refuse('a key or value would not read back exactly (spaces at its ends?)');
  }
  if (serializeIni(after) === serializeIni(before)) return before;
  return after;
}

/** Whether every section but those in `names` (and [DEFAULT]) reads the same in both. */
function sameOutside(before: IniDocument, after: IniDocument, names: ReadonlySet<string>): boolean {
  if (!sameOptions(before.defaults, after.defaults)) return false;
  const a = before.sections.filter((section) => !names.has(section.name));
  const b = after.sections.filter((section) => !names.has(section.name));
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as IniDocument['sections'][number];
    const y = b[i] as IniDocument['sections'][number];
    if (x.name !== y.name || !sameOptions(x.options, y.options)) return false;
  }
  return true;
}

function sameOptions(a: readonly IniOption[], b: readonly IniOption[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]?.key !== b[i]?.key || a[i]?.raw !== b[i]?.raw) return false;
  }
  return true;
}
