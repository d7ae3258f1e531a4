/**
 * Text a server or a redirect supplied, made safe for a terminal: an escape sequence from a
 * hostile server could clear the screen, move the cursor or fake a password prompt.
 */

// C0 and C1 controls (ESC, CSI, BEL, CR, newline…), DEL, and the bidi overrides and
// isolates that reorder what is shown. Built on first use: V8 builds a Unicode-property class
// when the expression is created (~0.05 ms), and `import 'native-login'` loads this file.
let unsafe: RegExp | undefined;

/** `text` with every control character (and bidi control) replaced by one space, trimmed. */
export function printable(text: string, max = 500): string {
  unsafe ??= /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gu;
  const safe = text.replace(unsafe, ' ').trim();
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}

// What JSON.stringify leaves raw that a terminal may act on: DEL, the C1 controls (0x9b is
// CSI on some terminals), the bidi controls, and the line and paragraph separators.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `value` as indented JSON, safe to print on a terminal: the characters JSON.stringify leaves
 * raw that a terminal could act on are written as `\uXXXX` escapes, so a program that parses
 * the output still gets exactly what the server sent.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    RAW_IN_JSON,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
