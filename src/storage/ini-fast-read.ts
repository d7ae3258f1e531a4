/**
 * Reading a few sections of a large token file in the form every writer produces, at the speed
 * of the regular-expression engine (bench/ (c): a file shared by 1,000 clients is 20,000 lines,
 * and a fresh process runs the line-by-line parser cold, ~30 ms).
 *
 * The whole file is still checked, as Python's configparser would: the fast path first proves
 * that the text is in the usual form (printable ASCII, every line a `[header]`, a comment, a
 * `key = value` with a lower-case key, or empty; no [DEFAULT]; no section or key twice) and
 * then parses only the sections asked for with `parseIni`. Anything else, including every
 * damaged file, answers `undefined`, and the caller runs the full parser, which says what is
 * wrong and where.
 */
import { type IniDocument, type IniSection, parseIni } from './ini-format.js';

/** Below this many characters (a few dozen clients), the full parser is the faster one. */
export const FAST_READ_MIN_LENGTH = 64 * 1024;

/** A character outside printable ASCII and `\n` (tabs, CR, a BOM, non-ASCII whitespace). */
const UNUSUAL_CHARACTER = /[^\x20-\x7e\n]/;
/** A line that is none of: empty, `[name]`, a comment, `key = value` (lower-case key). */
const UNUSUAL_LINE = /^(?!$|\[[^\n]+\]$|[#;]|[a-z0-9_-]+ = )/m;
/** The first line that is neither empty nor a comment (configparser wants a header there). */
const FIRST_CONTENT = /^(?!$|[#;])/m;
/** Every header line. */
const HEADERS = /^\[[^\n]+\]$/gm;
/** The ` = value` part of every option line. */
const VALUES = / = [^\n]*/g;
const HEADER_LINE = /^\[[^\n]*\]$/m;

/**
 * The sections named in `only` as `parseIni(text, filename, { only })` reads them, or
 * `undefined` when the text is not in the usual form or is small (then use that call).
 * `checked`: this very text passed `isUsualForm` before (check-memo.ts), so only the
 * sections asked for are parsed.
 */
export function readUsualForm(
  text: string,
  filename: string,
  only: ReadonlySet<string>,
  { checked = false }: { checked?: boolean } = {},
): IniDocument | undefined {
  // A small file parses faster than V8 compiles these regular expressions.
  if (text.length < FAST_READ_MIN_LENGTH) return undefined;
  if (!checked && !isUsualForm(text)) return undefined;

  const sections: IniSection[] = [];
  const found = [...only]
    .map((name) => ({ name, start: headerLine(text, name) }))
    .filter((header) => header.start !== -1)
    .sort((a, b) => a.start - b.start);
  let line = 0;
  let counted = 0;
  for (const header of found) {
    line += countLines(text, counted, header.start);
    counted = header.start;
    const next = text.indexOf('\n[', header.start);
    const end = next === -1 ? text.length : next + 1;
    const [section] = parseIni(text.slice(header.start, end), filename).sections;
    if (section === undefined) return undefined;
    sections.push({
      name: section.name,
      header: section.header + line,
      options: section.options.map((option) => ({
        ...option,
        first: option.first + line,
        last: option.last + line,
      })),
    });
  }
  return { text, lines: [], sections, defaults: [] };
}

/**
 * Whether the whole text is in the usual form: what configparser would accept, checked as
 * a few calls into the regular-expression engine.
 */
function isUsualForm(text: string): boolean {
  if (UNUSUAL_CHARACTER.test(text) || UNUSUAL_LINE.test(text)) return false;
  const first = FIRST_CONTENT.exec(text);
  if (first !== null && first.index < text.length && text.charCodeAt(first.index) !== 0x5b) {
    return false;
  }
  return headersUnique(text) && keysUniquePerSection(text);
}

// The checks below run as a few calls into the regular-expression engine and the built-in
// Set, not as a JavaScript loop over 20,000 lines, which a fresh process would run cold.

/** Whether no header repeats and none is [DEFAULT]. */
function headersUnique(text: string): boolean {
  const headers: string[] = text.match(HEADERS) ?? [];
  return new Set(headers).size === headers.length && !headers.includes('[DEFAULT]');
}

/**
 * Whether no key appears twice in one section (configparser's DuplicateOptionError). With the
 * values cut off, each section is a list of its keys; sections written alike give the same
 * list, so only the distinct lists are checked. (A header or comment holding " = " only makes
 * lists longer, so it can only make this answer false, never hide a duplicate.)
 */
function keysUniquePerSection(text: string): boolean {
  for (const list of new Set(text.replace(VALUES, '').split(HEADER_LINE))) {
    const keys = list.split('\n').filter((line) => line !== '');
    if (new Set(keys).size !== keys.length) return false;
  }
  return true;
}

/** Where the line `[name]` starts, or -1. */
function headerLine(text: string, name: string): number {
  const header = `[${name}]`;
  for (let at = text.indexOf(header); at !== -1; at = text.indexOf(header, at + 1)) {
    const end = at + header.length;
    const lineStart = at === 0 || text.charCodeAt(at - 1) === 0x0a;
    const lineEnd = end === text.length || text.charCodeAt(end) === 0x0a;
    if (lineStart && lineEnd) return at;
  }
  return -1;
}

/** The number of line breaks in text[from, to). */
function countLines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) {
    count += 1;
  }
  return count;
}
