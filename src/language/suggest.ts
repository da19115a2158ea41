// "Did you mean": the closest known word by edit distance, for unknown statements,
// providers, writer kinds, hook stages, target kinds, functions and variables.

/** Damerau-Levenshtein distance (optimal string alignment): a swap of two letters counts once. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known word closest to `word`, when it is close enough to be a likely typo: at most a
 * third of the word's length in edits (at least 1, at most 3). Case is ignored; a candidate
 * that contains the word or is contained by it (`snapshot` for `snapshot-timeout`) also counts.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(lower.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c === lower) return candidate;
    let distance = editDistance(lower, c);
    if (distance > limit && lower.length >= 4 && (c.startsWith(lower) || lower.startsWith(c))) distance = limit;
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** " Did you mean `x`?" or "", to append to a diagnostic's detail. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const found = suggest(word, candidates);
  return found === undefined ? '' : ` ${meant(found)}`;
}

/** The sentence that offers `replacement` for a diagnostic's whole range. */
export function meant(replacement: string): string {
  return `Did you mean \`${replacement}\`?`;
}

const MEANT = /Did you mean `([^`]+)`\?/;

/** The replacement a diagnostic's detail offers with `meant`, for the editor's quick fix. */
export function meantIn(detail: string): string | undefined {
  return MEANT.exec(detail)?.[1];
}
