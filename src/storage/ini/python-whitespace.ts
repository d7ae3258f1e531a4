// Python's notion of whitespace, which configparser's parsing and our edits must share.

/** Python's str.isspace() set, which configparser's strip() and `\s` use; JS's \s differs
 * (it has U+FEFF and lacks U+001C-U+001F and U+0085). Char codes, not a regex: the parser
 * calls this for every character it trims, and a token file can hold 10,000 clients. */
export function isPyWs(code: number): boolean {
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
