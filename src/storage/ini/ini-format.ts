import { TokenFileCorrupt } from '../../errors.js';
import { isPyWs, pyRstrip, pyStrip } from './python-whitespace.js';

/**
 * A parse tree of a Python `configparser` INI file that keeps every byte: serialising an
 * unchanged document gives back the exact text it was parsed from. The reading rules are
 * those of Python 3.11's `ConfigParser()` defaults (strict, `=`/`:` delimiters, full-line
 * `#`/`;` comments, empty lines allowed in values, `[DEFAULT]`), so both sides agree on
 * what a file means.
 */

/** How a line was read. */
export type IniLineKind = 'blank' | 'comment' | 'header' | 'option' | 'continuation';

/** One physical line: its text without the line break, and the line break itself. */
export type IniLine = { text: string; eol: string; kind: IniLineKind };

/** One `key = value` entry; `raw` is the value as Python stores it, before `%` interpolation. */
export type IniOption = {
  /** The key, lower-cased as configparser's `optionxform` does. */
  key: string;
  raw: string;
  /** 0-based index of the key's line. */
  first: number;
  /** 0-based index of its last continuation line (`first` when there is none). */
  last: number;
};

/** A `[section]` and its options in file order. */
export type IniSection = { name: string; header: number; options: IniOption[] };

/** A parsed file: its lines, its sections in order, and the `[DEFAULT]` options. */
export type IniDocument = {
  /** The exact text the document was parsed from (documents are never changed in place). */
  readonly text: string;
  lines: IniLine[];
  sections: IniSection[];
  defaults: IniOption[];
};

/** The section name configparser treats as defaults for every other section. */
export const DEFAULT_SECTION = 'DEFAULT';

/**
 * Splits text into lines the way Python's universal-newline file reading does, each line
 * marked 'blank' until the parser reads it (one object per line: files can be large).
 */
export function splitLines(text: string): IniLine[] {
  const lines: IniLine[] = [];
  eachLine(text, (line, eol) => {
    lines.push({ text: line, eol, kind: 'blank' });
  });
  return lines;
}

/** Calls `visit` with each line's text and line break, by Python's universal newlines. */
function eachLine(text: string, visit: (line: string, eol: string) => void): void {
  let start = 0;
  let i = text.indexOf('\n');
  let cr = text.indexOf('\r');
  for (;;) {
    if (i === -1 && cr === -1) break;
    if (cr !== -1 && (i === -1 || cr < i)) {
      const crlf = text.charCodeAt(cr + 1) === 0x0a;
      visit(text.slice(start, cr), crlf ? '\r\n' : '\r');
      start = cr + (crlf ? 2 : 1);
      if (crlf) i = text.indexOf('\n', start);
      cr = text.indexOf('\r', start);
    } else {
      visit(text.slice(start, i), '\n');
      start = i + 1;
      i = text.indexOf('\n', start);
    }
  }
  if (start < text.length) visit(text.slice(start), '');
}

/** A `[header]` line's section name (configparser's `\[(.+)\]`, up to the last `]`), or null. */
function sectionName(stripped: string): string | null {
  if (stripped.charCodeAt(0) !== 0x5b) return null;
  const close = stripped.lastIndexOf(']');
  return close > 1 ? stripped.slice(1, close) : null;
}

/** Where `key = value` splits: the first `=` or `:` (configparser's OPTCRE), or -1. */
function delimiterAt(stripped: string): number {
  const eq = stripped.indexOf('=');
  const colon = stripped.indexOf(':');
  return eq === -1 ? colon : colon === -1 ? eq : Math.min(eq, colon);
}

/** Options of {@link parseIni}. */
export type ParseIniOptions = {
  /**
   * For reading only: keep the options of these sections (and `[DEFAULT]`'s), leave the other
   * sections out and `lines` empty. Every line is still checked the same way; a file shared by
   * 1,000 clients then leaves almost nothing behind for the garbage collector to move.
   */
  only?: ReadonlySet<string> | undefined;
};

/** The state of an option whose section is left out (continuations are still recognised). */
const SKIPPED = { entry: { key: '', raw: '', first: 0, last: 0 }, value: '', more: null };

/**
 * Parses INI text as Python's `ConfigParser().read()` would; any error it would raise
 * (missing section header, duplicate section or key, a line that is not `key = value`)
 * is a `TokenFileCorrupt` naming `filename` and the line, never the line's text.
 */
export function parseIni(
  text: string,
  filename: string,
  options: ParseIniOptions = {},
): IniDocument {
  const only = options.only;
  const lines = only === undefined ? splitLines(text) : [];
  if (text.startsWith('\uFEFF')) {
    // Python reads the mark as text, so the first line is no [section] header for it either.
    throw new TokenFileCorrupt(
      `${filename} is damaged at line 1: it starts with a byte-order mark.`,
      {
        filename,
        line: 1,
      },
    );
  }
  const sections: IniSection[] = [];
  const defaults: IniOption[] = [];
  let current: IniOption[] | undefined;
  let currentKeys = new Set<string>();
  let currentName = '';
  // The value's first part, and its continuation lines only when it has any (most do not).
  let option: { entry: IniOption; value: string; more: string[] | null } | undefined;
  let indentLevel = 0;
  const seen = new Set<string>();
  const finish = (): void => {
    if (option && option !== SKIPPED) {
      option.entry.raw =
        option.more === null ? option.value : pyRstrip([option.value, ...option.more].join('\n'));
    }
  };
  const corrupt = (index: number, what: string): TokenFileCorrupt =>
    new TokenFileCorrupt(`${filename} is damaged at line ${index + 1}: ${what}.`, {
      filename,
      line: index + 1,
    });
  let keeping = true;
  const readLine = (text: string, index: number): IniLineKind => {
    const stripped = pyStrip(text);
    const first = stripped.charCodeAt(0);
    const isComment = first === 0x23 || first === 0x3b; // # or ;
    if (isComment || stripped === '') {
      // configparser keeps empty lines inside a value in case a continuation follows.
      if (!isComment && option) addPart(option, '');
      return isComment ? 'comment' : 'blank';
    }
    let indent = 0;
    while (indent < text.length && isPyWs(text.charCodeAt(indent))) indent++;
    if (current && option && indent > indentLevel) {
      addPart(option, stripped);
      if (option !== SKIPPED) option.entry.last = index;
      return 'continuation';
    }
    indentLevel = indent;
    const header = sectionName(stripped);
    if (header !== null) {
      finish();
      option = undefined;
      currentName = header;
      if (currentName === DEFAULT_SECTION) {
        keeping = true;
        current = defaults;
        currentKeys = new Set(defaults.map((entry) => entry.key));
        return 'header';
      }
      if (seen.has(currentName)) throw corrupt(index, `section [${currentName}] appears twice`);
      seen.add(currentName);
      keeping = only === undefined || only.has(currentName);
      const section: IniSection = { name: currentName, header: index, options: [] };
      if (keeping) sections.push(section);
      current = section.options;
      currentKeys = new Set();
      return 'header';
    }
    if (!current) throw corrupt(index, 'text before the first [section] header');
    const at = delimiterAt(stripped);
    const key = at === -1 ? '' : pyRstrip(stripped.slice(0, at)).toLowerCase();
    if (key === '') throw corrupt(index, 'not a "key = value" line, a [section] or a comment');
    if (currentKeys.has(key)) {
      throw corrupt(index, `key "${key}" appears twice in section [${currentName}]`);
    }
    currentKeys.add(key);
    finish();
    if (!keeping) {
      option = SKIPPED;
      return 'option';
    }
    const entry: IniOption = { key, raw: '', first: index, last: index };
    current.push(entry);
    option = { entry, value: pyStrip(stripped.slice(at + 1)), more: null };
    return 'option';
  };
  if (only === undefined) {
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index] as IniLine;
      line.kind = readLine(line.text, index);
    }
  } else {
    let index = 0;
    eachLine(text, (line) => {
      readLine(line, index);
      index += 1;
    });
  }
  finish();
  return { text, lines, sections, defaults };
}

function addPart(option: { more: string[] | null }, part: string): void {
  if (option === SKIPPED) return;
  if (option.more === null) option.more = [part];
  else option.more.push(part);
}

/** The exact text of a document: `serializeIni(parseIni(t, f)) === t`. */
export function serializeIni(doc: IniDocument): string {
  return doc.text;
}

/** A value after configparser's BasicInterpolation: `%%` is `%`; `%(name)s` is refused. */
export function interpolate(raw: string): { value: string } | { error: string } {
  let at = raw.indexOf('%');
  // The usual value (a token, a scope, a number) has no `%`: the same string, not a copy.
  if (at === -1) return { value: raw };
  let value = '';
  let from = 0;
  for (; at !== -1; at = raw.indexOf('%', from)) {
    const next = raw[at + 1];
    if (next === '(') {
      return { error: '"%(name)s" interpolation is not supported in token files' };
    }
    if (next !== '%') return { error: 'a "%" not followed by "%" or "(" (Python refuses it)' };
    value += raw.slice(from, at + 1);
    from = at + 2;
  }
  return { value: value + raw.slice(from) };
}

/** How to write a value so configparser reads it back unchanged: `%` doubled, lines indented. */
export function escapeValue(value: string): string {
  return value.replaceAll('%', '%%').replaceAll('\n', '\n\t');
}
