/** The closest candidate to a misspelt name, if one is close enough to be what the user meant. */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const lowered = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(input.length / 3)));
  for (const candidate of candidates) {
    if (candidate === lowered) return candidate;
    const distance = editDistance(lowered, candidate);
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The suffix of an error message that proposes a fix: ` (did you mean "title"?)`, or nothing. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const candidate = suggest(input, candidates);
  return candidate === undefined ? '' : ` (did you mean "${candidate}"?)`;
}

// Optimal string alignment distance: a transposition ("titel") costs one edit, as a typist would expect.
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Number.POSITIVE_INFINITY;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
