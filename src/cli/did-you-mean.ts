/**
 * "Did you mean …?" for the command line: the candidate nearest to a mistyped word, when it is
 * near enough to be the word the person meant (pure).
 */

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = [];
    for (let j = 0; j <= b.length; j += 1) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (rows[i - 1]?.[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (rows[i - 1]?.[j - 1] ?? 0) + cost,
      );
      // A swap of two neighbours ("lgoin") counts as one edit, as people make it.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The candidate nearest to `word` when it is a likely typo of it: at most 3 edits and under a
 * third of the word (so `logn` finds `login`, while `search…` never suggests `transfer…`).
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** " Did you mean X?" or "" (for the end of a message or hint). */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = nearest(word, candidates);
  return match === undefined ? '' : ` Did you mean ${match}?`;
}

/**
 * For parseArgs's "Unknown option '--jsn'": the commands that have that option, or the nearest
 * of `options` (this command's and the global ones); "" when neither helps.
 */
export function unknownOptionAdvice(
  message: string,
  options: readonly string[],
  optionsByCommand: Readonly<Record<string, object>>,
): string {
  const flag = /^Unknown option '(--[^'=]+)/.exec(message)?.[1];
  if (flag === undefined) return '';
  const name = flag.slice(2);
  const elsewhere = Object.entries(optionsByCommand)
    .filter(([, own]) => Object.hasOwn(own, name))
    .map(([command]) => command);
  if (elsewhere.length > 0) return `${flag} is an option of ${elsewhere.join(', ')}. `;
  const guess = nearest(name, options);
  return guess === undefined ? '' : `Did you mean --${guess}? `;
}
