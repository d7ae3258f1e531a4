import { escapeValue, type IniDocument, type IniOption, type IniSection } from './ini-format.js';
import { type Expected, type RawLine, spliceChecked, type Window } from './ini-splice.js';
import { indentOf, pyStrip } from './python-whitespace.js';

/**
 * Edits of an INI parse tree that touch only the lines they must. Every edit re-reads its
 * result (the lines it rewrote, see ini-splice.ts for why that suffices) and checks that the
 * rest of the file still reads the same and that the new values read back exactly; otherwise
 * it refuses (TokenStorageError) rather than write a file that means something else.
 */

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
 * Applies edits of several sections in one pass and checks the result once, re-reading only
 * the sections it rewrites (see ini-splice.ts): a token file can hold thousands of clients.
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
  const ranges: { lo: number; hi: number }[] = [];
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
      ranges.push({ lo: headerBefore(doc, doc.lines.length), hi: doc.lines.length });
      continue;
    }
    const hi = headerAfter(doc, section);
    const kept = section.options.filter((o) => values.has(o.key) || !remove.has(o.key));
    const added = [...values].filter(([key]) => !section.options.some((o) => o.key === key));
    if (edit.dropIfEmpty && kept.length === 0 && added.length === 0) {
      let last = section.options.at(-1)?.last ?? section.header;
      while (doc.lines[last + 1]?.kind === 'blank') last++;
      dropFrom.set(section.header, last);
      expected.set(name, undefined);
      // The window must start at a line that stays: the header before this one.
      ranges.push({ lo: headerBefore(doc, section.header), hi });
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
    ranges.push({ lo: section.header, hi });
  }
  if (expected.size === 0) return doc;
  // [DEFAULT] keys change how every section reads: then only the whole file is a safe window.
  if (doc.defaults.length > 0) ranges.splice(0, ranges.length, { lo: 0, hi: doc.lines.length });
  const windows: Window[] = [];
  for (const { lo, hi } of ranges.sort((x, y) => x.lo - y.lo)) {
    const last = windows.at(-1);
    if (last && lo <= last.hi) last.hi = Math.max(last.hi, hi);
    else windows.push({ lo, hi, out: [] });
  }
  for (const window of windows) {
    const { out } = window;
    for (let index = window.lo; index < window.hi; index++) {
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
    if (window.hi === doc.lines.length && appended.length > 0) {
      const last = out.at(-1) ?? (window.lo > 0 ? doc.lines[window.lo - 1] : undefined);
      if (last && pyStrip(last.text) !== '') out.push({ text: '', eol });
      out.push(...appended);
    }
  }
  return spliceChecked(doc, windows, expected, filename);
}

/** Removes section `name` (header through its last key, and the blank lines after it). */
export function removeSection(doc: IniDocument, name: string, filename: string): IniDocument {
  const section = doc.sections.find((candidate) => candidate.name === name);
  if (!section) return doc;
  const remove = new Set(section.options.map((option) => option.key));
  return updateSections(doc, [{ name, values: new Map(), remove, dropIfEmpty: true }], filename);
}

/** The index of the last header line before line `index`, or 0 (the file's start). */
function headerBefore(doc: IniDocument, index: number): number {
  for (let i = index - 1; i >= 0; i--) if (doc.lines[i]?.kind === 'header') return i;
  return 0;
}

/** The index of the first header line after `section`, or the line count. */
function headerAfter(doc: IniDocument, section: IniSection): number {
  const start = (section.options.at(-1)?.last ?? section.header) + 1;
  for (let i = start; i < doc.lines.length; i++) if (doc.lines[i]?.kind === 'header') return i;
  return doc.lines.length;
}

function optionLines(indent: string, key: string, value: string, eol: string): RawLine[] {
  // configparser writes `key = ` (with the space) for an empty value; so do we.
  const [first = '', ...rest] = escapeValue(value).split('\n');
  return [
    { text: `${indent}${key} = ${first}`, eol },
    ...rest.map((part) => ({ text: `${indent}${part}`, eol })),
  ];
}
