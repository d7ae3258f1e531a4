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
 * wrong and where. A version of a file that passed once is remembered (check-memo.ts), and
 * `readCheckedSections` then reads only its sections, from the bytes.
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
 */
export function readUsualForm(
  text: string,
  filename: string,
  only: ReadonlySet<string>,
): IniDocument | undefined {
  // A small file parses faster than V8 compiles these regular expressions.
  if (text.length < FAST_READ_MIN_LENGTH || !isUsualForm(text)) return undefined;
  return sectionsOf(textSource(text), filename, only, text);
}

/**
 * The same, from the bytes of a file whose whole text passed these checks before (a memo of
 * that very version, check-memo.ts): printable ASCII, so each section decodes on its own and
 * the 1.3 MiB text of a file shared by 1,000 clients never becomes a string. Line numbers
 * count from each section's header, not from the top of the file (counting 20,000 line breaks
 * cost more than the rest of the read): a caller that meets damage reads the file the long
 * way, which names the line.
 */
export function readCheckedSections(
  bytes: Uint8Array,
  filename: string,
  only: ReadonlySet<string>,
): IniDocument | undefined {
  // The file is printable ASCII: a name that is not cannot be in it (and its latin1 bytes
  // could match another name).
  for (const name of only) if (UNUSUAL_CHARACTER.test(name)) return undefined;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return sectionsOf(
    {
      length: buffer.length,
      indexOf: (what, from) => buffer.indexOf(what, from, 'latin1'),
      codeAt: (at) => buffer[at],
      slice: (from, to) => buffer.toString('latin1', from, to),
    },
    filename,
    only,
    undefined,
  );
}

/** Text to search, as a string or as the bytes of ASCII text. */
type Source = {
  readonly length: number;
  indexOf(what: string, from: number): number;
  codeAt(at: number): number | undefined;
  slice(from: number, to: number): string;
};

function textSource(text: string): Source {
  return {
    length: text.length,
    indexOf: (what, from) => text.indexOf(what, from),
    codeAt: (at) => text.charCodeAt(at),
    slice: (from, to) => text.slice(from, to),
  };
}

/**
 * The sections in `only`, each parsed alone; given the whole `text`, with the line numbers of
 * the whole file, else with each section's own.
 */
function sectionsOf(
  source: Source,
  filename: string,
  only: ReadonlySet<string>,
  text: string | undefined,
): IniDocument | undefined {
  const sections: IniSection[] = [];
  const found = [...only]
    .map((name) => ({ name, start: headerLine(source, name) }))
    .filter((header) => header.start !== -1)
    .sort((a, b) => a.start - b.start);
  let line = 0;
  let counted = 0;
  for (const header of found) {
    if (text !== undefined) line += countLines(text, counted, header.start);
    counted = header.start;
    const next = source.indexOf('\n[', header.start);
    const end = next === -1 ? source.length : next + 1;
    const [section] = parseIni(source.slice(header.start, end), filename).sections;
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
  return { text: text ?? '', lines: [], sections, defaults: [] };
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
function headerLine(source: Source, name: string): number {
  const header = `[${name}]`;
  for (let at = source.indexOf(header, 0); at !== -1; at = source.indexOf(header, at + 1)) {
    const end = at + header.length;
    const lineStart = at === 0 || source.codeAt(at - 1) === 0x0a;
    const lineEnd = end === source.length || source.codeAt(end) === 0x0a;
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
