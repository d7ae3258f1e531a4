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
  /** The exact text the document was parsed from (documents are never changed in place). */
  readonly text: string;
  lines: IniLine[];
  sections: IniSection[];
  defaults: IniOption[];
};

/** The section name configparser treats as defaults for every other section. */
export const DEFAULT_SECTION = 'DEFAULT';

/** Python's str.isspace() set, which configparser's strip() and `\s` use; JS's \s differs
 * (it has U+FEFF and lacks U+001C-U+001F and U+0085). Char codes, not a regex: the parser
 * calls this for every character it trims, and a token file can hold 10,000 clients. */
function isPyWs(code: number): boolean {
  if (code <= 0x20)
    return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Whether `value` holds a character Python counts as whitespace. */
export function hasPyWhitespace(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (isPyWs(value.charCodeAt(i))) return true;
  return false;
}

/** Python's `str.strip()`. */
export function pyStrip(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isPyWs(value.charCodeAt(start))) start++;
  while (end > start && isPyWs(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** Python's `str.rstrip()`. */
export function pyRstrip(value: string): string {
  let end = value.length;
  while (end > 0 && isPyWs(value.charCodeAt(end - 1))) end--;
  return end === value.length ? value : value.slice(0, end);
}

/** The leading whitespace of a line, by Python's rules. */
export function indentOf(text: string): string {
  let end = 0;
  while (end < text.length && isPyWs(text.charCodeAt(end))) end++;
  return text.slice(0, end);
}

/**
 * Splits text into lines the way Python's universal-newline file reading does, each line
 * marked 'blank' until the parser reads it (one object per line: files can be large).
 */
export function splitLines(text: string): IniLine[] {
  const lines: IniLine[] = [];
  let start = 0;
  let i = text.indexOf('\n');
  let cr = text.indexOf('\r');
  for (;;) {
    if (i === -1 && cr === -1) break;
    if (cr !== -1 && (i === -1 || cr < i)) {
      const crlf = text.charCodeAt(cr + 1) === 0x0a;
      lines.push({ text: text.slice(start, cr), eol: crlf ? '\r\n' : '\r', kind: 'blank' });
      start = cr + (crlf ? 2 : 1);
      if (crlf) i = text.indexOf('\n', start);
      cr = text.indexOf('\r', start);
    } else {
      lines.push({ text: text.slice(start, i), eol: '\n', kind: 'blank' });
      start = i + 1;
      i = text.indexOf('\n', start);
    }
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '', kind: 'blank' });
  return lines;
}

/** A `[header]` line's section name (configparser's `\[(.+)\]`, up to the last `]`), or null. */
function sectionName(stripped: string): string | null {
  if (stripped.charCodeAt(0) !== 0x5b) return null;
  const close = stripped.lastIndexOf(']');
  return close > 1 ? stripped.slice(1, close) : null;
}

/** Splits `key = value` at the first `=` or `:` (configparser's OPTCRE), or null. */
function splitOption(stripped: string): { key: string; value: string } | null {
  const eq = stripped.indexOf('=');
  const colon = stripped.indexOf(':');
  const at = eq === -1 ? colon : colon === -1 ? eq : Math.min(eq, colon);
  if (at === -1) return null;
  return { key: pyRstrip(stripped.slice(0, at)), value: pyStrip(stripped.slice(at + 1)) };
}

/**
 * Parses INI text as Python's `ConfigParser().read()` would; any error it would raise
 * (missing section header, duplicate section or key, a line that is not `key = value`)
 * is a `TokenFileCorrupt` naming `filename` and the line, never the line's text.
 */
export function parseIni(text: string, filename: string): IniDocument {
  const lines = splitLines(text);
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
    if (option) {
      option.entry.raw =
        option.more === null ? option.value : pyRstrip([option.value, ...option.more].join('\n'));
    }
  };
  const corrupt = (index: number, what: string): TokenFileCorrupt =>
    new TokenFileCorrupt(`${filename} is damaged at line ${index + 1}: ${what}.`, {
      filename,
      line: index + 1,
    });
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as IniLine;
    const stripped = pyStrip(line.text);
    const first = stripped.charCodeAt(0);
    const isComment = first === 0x23 || first === 0x3b; // # or ;
    if (isComment || stripped === '') {
      line.kind = isComment ? 'comment' : 'blank';
      // configparser keeps empty lines inside a value in case a continuation follows.
      if (!isComment && option) addPart(option, '');
      continue;
    }
    let indent = 0;
    while (indent < line.text.length && isPyWs(line.text.charCodeAt(indent))) indent++;
    if (current && option && indent > indentLevel) {
      line.kind = 'continuation';
      addPart(option, stripped);
      option.entry.last = index;
      continue;
    }
    indentLevel = indent;
    const header = sectionName(stripped);
    if (header !== null) {
      finish();
      option = undefined;
      line.kind = 'header';
      currentName = header;
      if (currentName === DEFAULT_SECTION) {
        current = defaults;
        currentKeys = new Set(defaults.map((entry) => entry.key));
        continue;
      }
      if (seen.has(currentName)) throw corrupt(index, `section [${currentName}] appears twice`);
      seen.add(currentName);
      const section: IniSection = { name: currentName, header: index, options: [] };
      sections.push(section);
      current = section.options;
      currentKeys = new Set();
      continue;
    }
    if (!current) throw corrupt(index, 'text before the first [section] header');
    const match = splitOption(stripped);
    const key = match ? match.key.toLowerCase() : '';
    if (!match || key === '')
      throw corrupt(index, 'not a "key = value" line, a [section] or a comment');
    if (currentKeys.has(key)) {
      throw corrupt(index, `key "${key}" appears twice in section [${currentName}]`);
    }
    currentKeys.add(key);
    finish();
    line.kind = 'option';
    const entry: IniOption = { key, raw: '', first: index, last: index };
    current.push(entry);
    option = { entry, value: match.value, more: null };
  }
  finish();
  return { text, lines, sections, defaults };
}

function addPart(option: { more: string[] | null }, part: string): void {
  if (option.more === null) option.more = [part];
  else option.more.push(part);
}

/** The exact text of a document: `serializeIni(parseIni(t, f)) === t`. */
export function serializeIni(doc: IniDocument): string {
  return doc.text;
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
