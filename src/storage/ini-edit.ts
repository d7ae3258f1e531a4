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
  const eol = doc.lines.find((line) => line.eol !== '')?.eol ?? '\n';
  const section = doc.sections.find((candidate) => candidate.name === name);
  let out: RawLine[];
  let expected: Expected[];
  if (!section) {
    if (values.size === 0) return doc;
    out = doc.lines.map(({ text, eol: end }) => ({ text, eol: end }));
    const last = out.at(-1);
    if (last && pyStrip(last.text) !== '') out.push({ text: '', eol });
    out.push({ text: `[${name}]`, eol });
    for (const [key, value] of values) out.push(...optionLines('', key, value, eol));
    out.push({ text: '', eol });
    expected = [...values].map(([key, value]) => ({ key, value }));
  } else {
    const byFirst = new Map<number, IniOption>(section.options.map((o) => [o.first, o]));
    const kept = section.options.filter((o) => values.has(o.key) || !remove.has(o.key));
    const anchor = kept.at(-1);
    const anchorLine = anchor ? anchor.last : section.header;
    const anchorIndent = indentOf(doc.lines[anchor ? anchor.first : section.header]?.text ?? '');
    const added = [...values].filter(([key]) => !section.options.some((o) => o.key === key));
    out = [];
    for (let index = 0; index < doc.lines.length; index++) {
      const line = doc.lines[index] as RawLine;
      const option = byFirst.get(index);
      if (option && (values.has(option.key) || remove.has(option.key))) {
        const end = doc.lines[option.last]?.eol ?? eol;
        const value = values.get(option.key);
        if (value !== undefined)
          out.push(...optionLines(indentOf(line.text), option.key, value, end));
        index = option.last;
      } else {
        out.push({ text: line.text, eol: line.eol });
      }
      if (index === anchorLine) {
        for (const [key, value] of added) out.push(...optionLines(anchorIndent, key, value, eol));
      }
    }
    expected = kept.map((o) => {
      const value = values.get(o.key);
      return value === undefined ? { key: o.key, raw: o.raw } : { key: o.key, value };
    });
    expected.push(...added.map(([key, value]) => ({ key, value })));
  }
  return checked(doc, out, name, expected, filename);
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
  return checked(doc, out, name, undefined, filename);
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
  name: string,
  expected: Expected[] | undefined,
  filename: string,
): IniDocument {
  // Only the file's very end may lack a line break.
  const eol = before.lines.find((line) => line.eol !== '')?.eol ?? '\n';
  out.forEach((line, index) => {
    if (line.eol === '' && index < out.length - 1) line.eol = eol;
  });
  const refuse = (what: string): never => {
    throw new TokenStorageError(
      `Cannot update section [${name}] of ${filename} safely: ${what}. The file was not changed.`,
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
  if (!sameOutside(before, after, name)) refuse('the rest of the file would read differently');
  const section = after.sections.find((candidate) => candidate.name === name);
  if (expected === undefined) {
    if (section) refuse('the section would remain');
    return after;
  }
  const got = section?.options ?? [];
  const same =
    got.length === expected.length &&
    got.every((option, index) => {
      const want = expected[index] as Expected;
      if (option.key !== want.key) return false;
      if (want.raw !== undefined) return option.raw === want.raw;
      const read = interpolate(option.raw);
      return 'value' in read && read.value === want.value;
    });
  if (!same) refuse('a key or value would not read back exactly (spaces at its ends?)');
  if (serializeIni(after) === serializeIni(before)) return before;
  return after;
}

/** Whether every section but `name` (and [DEFAULT]) reads the same in both documents. */
function sameOutside(before: IniDocument, after: IniDocument, name: string): boolean {
  if (!sameOptions(before.defaults, after.defaults)) return false;
  const a = before.sections.filter((section) => section.name !== name);
  const b = after.sections.filter((section) => section.name !== name);
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
