/**
 * Text a server or a redirect supplied, made safe for a terminal: an escape sequence from a
 * hostile server could clear the screen, move the cursor or fake a password prompt.
 */

// C0 and C1 controls (ESC, CSI, BEL, CR, newline…), DEL, and the bidi overrides and
// isolates that reorder what is shown.
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gu;

/** `text` with every control character (and bidi control) replaced by one space, trimmed. */
export function printable(text: string, max = 500): string {
  const safe = text.replace(UNSAFE, ' ').trim();
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}
