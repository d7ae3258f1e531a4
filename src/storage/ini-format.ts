import { TokenFileCorrupt } from '../errors.js';

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
  lines: IniLine[];
  sections: IniSection[];
  defaults: IniOption[];
};

/** The section name configparser treats as defaults for every other section. */
export const DEFAULT_SECTION = 'DEFAULT';

// Python's str.isspace() set, which configparser's strip() and `\s` use; JS's \s differs
// (it has U+FEFF and lacks U+001C-U+001F and U+0085).
const WS =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_WS = new RegExp(`^[${WS}]+`);
const TRAILING_WS = new RegExp(`[${WS}]+$`);
const ANY_WS = new RegExp(`[${WS}]`);
const NON_SPACE = new RegExp(`[^${WS}]`);
const SECTION_RE = /^\[([\s\S]+)\]/;
const OPTION_RE = new RegExp(`^([\\s\\S]*?)[${WS}]*(=|:)[${WS}]*([\\s\\S]*)$`);
const EOL_RE = /\r\n|\r|\n/g;

/** Whether `value` holds a character Python counts as whitespace. */
export function hasPyWhitespace(value: string): boolean {
  return ANY_WS.test(value);
}

/** Python's `str.strip()`. */
export function pyStrip(value: string): string {
  return value.replace(LEADING_WS, '').replace(TRAILING_WS, '');
}

/** Python's `str.rstrip()`. */
export function pyRstrip(value: string): string {
  return value.replace(TRAILING_WS, '');
}

/** The leading whitespace of a line, by Python's rules. */
export function indentOf(text: string): string {
  const first = NON_SPACE.exec(text);
  return first ? text.slice(0, first.index) : text;
}

/** Splits text into lines the way Python's universal-newline file reading does. */
export function splitLines(text: string): { text: string; eol: string }[] {
  const lines: { text: string; eol: string }[] = [];
  let start = 0;
  for (const match of text.matchAll(EOL_RE)) {
    lines.push({ text: text.slice(start, match.index), eol: match[0] });
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

/**
 * Parses INI text as Python's `ConfigParser().read()` would; any error it would raise
 * (missing section header, duplicate section or key, a line that is not `key = value`)
 * is a `TokenFileCorrupt` naming `filename` and the line, never the line's text.
 */
export function parseIni(text: string, filename: string): IniDocument {
  const lines: IniLine[] = splitLines(text).map((line) => ({ ...line, kind: 'blank' }));
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
  let currentName = '';
  let option: { entry: IniOption; parts: string[] } | undefined;
  let indentLevel = 0;
  const seen = new Set<string>();
  const finish = (): void => {
    if (option) option.entry.raw = pyRstrip(option.parts.join('\n'));
  };
  const corrupt = (index: number, what: string): TokenFileCorrupt =>
    new TokenFileCorrupt(`${filename} is damaged at line ${index + 1}: ${what}.`, {
      filename,
      line: index + 1,
    });
  for (const [index, line] of lines.entries()) {
    const stripped = pyStrip(line.text);
    const isComment = stripped.startsWith('#') || stripped.startsWith(';');
    if (isComment || stripped === '') {
      line.kind = isComment ? 'comment' : 'blank';
      // configparser keeps empty lines inside a value in case a continuation follows.
      if (!isComment && option) option.parts.push('');
      continue;
    }
    const indent = indentOf(line.text).length;
    if (current && option && indent > indentLevel) {
      line.kind = 'continuation';
      option.parts.push(stripped);
      option.entry.last = index;
      continue;
    }
    indentLevel = indent;
    const header = SECTION_RE.exec(stripped);
    if (header) {
      finish();
      option = undefined;
      line.kind = 'header';
      currentName = header[1] as string;
      if (currentName === DEFAULT_SECTION) {
        current = defaults;
        continue;
      }
      if (seen.has(currentName)) throw corrupt(index, `section [${currentName}] appears twice`);
      seen.add(currentName);
      const section: IniSection = { name: currentName, header: index, options: [] };
      sections.push(section);
      current = section.options;
      continue;
    }
    if (!current) throw corrupt(index, 'text before the first [section] header');
    const match = OPTION_RE.exec(stripped);
    const key = match ? pyRstrip(match[1] as string).toLowerCase() : '';
    if (!match || key === '')
      throw corrupt(index, 'not a "key = value" line, a [section] or a comment');
    if (current.some((entry) => entry.key === key)) {
      throw corrupt(index, `key "${key}" appears twice in section [${currentName}]`);
    }
    finish();
    line.kind = 'option';
    const entry: IniOption = { key, raw: '', first: index, last: index };
    current.push(entry);
    option = { entry, parts: [pyStrip(match[3] as string)] };
  }
  finish();
  return { lines, sections, defaults };
}

/** The exact text of a document: `serializeIni(parseIni(t, f)) === t`. */
export function serializeIni(doc: IniDocument): string {
  return doc.lines.map((line) => line.text + line.eol).join('');
}

/** A value after configparser's BasicInterpolation: `%%` is `%`; `%(name)s` is refused. */
export function interpolate(raw: string): { value: string } | { error: string } {
  let value = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    if (char !== '%') {
      value += char;
      continue;
    }
    const next = raw[i + 1];
    if (next === '%') {
      value += '%';
      i++;
    } else if (next === '(') {
      return { error: '"%(name)s" interpolation is not supported in token files' };
    } else {
      return { error: 'a "%" not followed by "%" or "(" (Python refuses it)' };
    }
  }
  return { value };
}

/** How to write a value so configparser reads it back unchanged: `%` doubled, lines indented. */
export function escapeValue(value: string): string {
  return value.replaceAll('%', '%%').replaceAll('\n', '\n\t');
}
