import { TokenFileCorrupt, TokenStorageError } from '../../errors.js';
import {
  type IniDocument,
  type IniLine,
  type IniOption,
  type IniSection,
  interpolate,
  parseIni,
} from './ini-format.js';

/**
 * The safety check of every INI edit, at the cost of the lines edited rather than of the
 * file. An edit rewrites windows of lines; each window starts at a line the parser reads
 * the same whatever precedes it (the file's start, or an unchanged section header) and ends
 * just before an unchanged header. Re-parsing a window together with that closing header
 * and finding it still a header proves the parser's state after it is what it was, so the
 * rest of the file reads exactly as before; section names are checked against the whole
 * file so a duplicate cannot slip in. This is what a full re-parse would refuse, nothing less.
 */

/** A raw output line. */
export type RawLine = { text: string; eol: string };
/** What a section must hold after the edit; `undefined`: the section must be gone. */
export type Expected = { key: string; raw?: string; value?: string };
/** Original lines [lo, hi) and the lines that replace them. */
export type Window = { lo: number; hi: number; out: RawLine[] };

/**
 * The document after replacing each window (sorted, disjoint), checked: refuses with a
 * TokenStorageError when the file would not parse, would read differently outside the
 * sections in `expected`, or those would not hold exactly what is expected.
 */
export function spliceChecked(
  before: IniDocument,
  windows: readonly Window[],
  expected: ReadonlyMap<string, Expected[] | undefined>,
  filename: string,
): IniDocument {
  const names = [...expected.keys()];
  const refuse = (what: string): never => {
    throw new TokenStorageError(
      `Cannot update section [${names.join('], [')}] of ${filename} safely: ${what}. The file was not changed.`,
      { filename, hint: `Edit ${filename} by hand, or move it aside and log in again.` },
    );
  };
  const eol = before.lines.find((line) => line.eol !== '')?.eol ?? '\n';
  const offsets = lineOffsets(before);
  const edited = new Set(names);
  const found = new Map<string, IniSection>();
  const parts: string[] = [];
  const lines: IniLine[] = [];
  const sections: IniSection[] = [];
  let defaults = before.defaults;
  let changed = false;
  let cursor = 0; // the next original line not yet copied
  let next = 0; // the next original section not yet copied
  // Copies the original lines and sections before line `end`, at their new indices.
  const copyUpTo = (end: number): void => {
    const shift = lines.length - cursor;
    parts.push(before.text.slice(offsets[cursor], offsets[end]));
    for (let i = cursor; i < end; i++) lines.push(before.lines[i] as IniLine);
    while (next < before.sections.length && (before.sections[next] as IniSection).header < end) {
      sections.push(moved(before.sections[next++] as IniSection, shift));
    }
    cursor = end;
  };
  for (const { lo, hi, out } of windows) {
    copyUpTo(lo);
    // Only the file's very end may lack a line break.
    const end = hi < before.lines.length ? out.length : out.length - 1;
    for (let i = 0; i < end; i++) if ((out[i] as RawLine).eol === '') (out[i] as RawLine).eol = eol;
    const text = out.map((line) => line.text + line.eol).join('');
    const closing = before.lines[hi];
    let after: IniDocument;
    try {
      after = parseIni(closing ? text + closing.text + closing.eol : text, filename);
    } catch (error) {
      if (error instanceof TokenFileCorrupt) return refuse('the result would not parse');
      throw error;
    }
    if (closing && after.lines.at(-1)?.kind !== 'header') {
      refuse('the rest of the file would read differently');
    }
    const old: IniSection[] = [];
    while (next < before.sections.length && (before.sections[next] as IniSection).header < hi) {
      old.push(before.sections[next++] as IniSection);
    }
    const fresh = after.sections.filter((section) => section.header < out.length);
    for (const section of fresh) {
      // A name used twice (here, in another window or elsewhere in the file) would not parse.
      const elsewhere =
        !old.some((o) => o.name === section.name) &&
        before.sections.some((s) => s.name === section.name);
      if (found.has(section.name) || elsewhere) refuse('the result would not parse');
      found.set(section.name, section);
      sections.push(moved(section, lines.length));
    }
    const keep = (section: IniSection): boolean => !edited.has(section.name);
    if (!sameSections(old.filter(keep), fresh.filter(keep))) {
      refuse('the rest of the file would read differently');
    }
    if (lo === 0 && hi === before.lines.length) {
      // The whole file: [DEFAULT] was read in full context and may be compared.
      if (!sameOptions(before.defaults, after.defaults)) {
        refuse('the rest of the file would read differently');
      }
      defaults = after.defaults;
    } else if (after.defaults.length > 0) {
      refuse('the rest of the file would read differently');
    }
    if (text !== before.text.slice(offsets[lo], offsets[hi])) changed = true;
    parts.push(text);
    for (let i = 0; i < out.length; i++) lines.push(after.lines[i] as IniLine);
    cursor = hi;
  }
  for (const [name, want] of expected) {
    const section = found.get(name);
    if (want === undefined) {
      if (section) refuse('the section would remain');
    } else if (!holds(section?.options ?? [], want)) {
      refuse('a key or value would not read back exactly (spaces at its ends?)');
    }
  }
  if (!changed) return before;
  copyUpTo(before.lines.length);
  return { text: parts.join(''), lines, sections, defaults };
}

/** The character offset of each line's start, and of the end of the text. */
function lineOffsets(doc: IniDocument): Uint32Array {
  const offsets = new Uint32Array(doc.lines.length + 1);
  let at = 0;
  for (let i = 0; i < doc.lines.length; i++) {
    offsets[i] = at;
    const line = doc.lines[i] as IniLine;
    at += line.text.length + line.eol.length;
  }
  offsets[doc.lines.length] = at;
  return offsets;
}

/** A section with every line index moved by `shift`. */
function moved(section: IniSection, shift: number): IniSection {
  if (shift === 0) return section;
  return {
    name: section.name,
    header: section.header + shift,
    options: section.options.map((o) => ({
      key: o.key,
      raw: o.raw,
      first: o.first + shift,
      last: o.last + shift,
    })),
  };
}

function holds(got: readonly IniOption[], want: readonly Expected[]): boolean {
  return (
    got.length === want.length &&
    got.every((option, index) => {
      const wanted = want[index] as Expected;
      if (option.key !== wanted.key) return false;
      if (wanted.raw !== undefined) return option.raw === wanted.raw;
      const read = interpolate(option.raw);
      return 'value' in read && read.value === wanted.value;
    })
  );
}

function sameSections(a: readonly IniSection[], b: readonly IniSection[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as IniSection;
    const y = b[i] as IniSection;
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
