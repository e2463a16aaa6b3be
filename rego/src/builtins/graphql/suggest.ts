/** "Did you mean" suggestions, as gqlparser (after graphql-js) makes them. */

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

function lexicalDistance(a: string, b: string): number {
  if (a === b) return 0;
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la === lb) return 1;
  return levenshtein(la, lb);
}

/** Options within the typo threshold of `input`, closest first. */
export function suggestionList(input: string, options: readonly string[]): string[] {
  const threshold = Math.max(1, Math.floor(input.length * 0.4) + 1);
  const scored = options
    .map((o) => [o, lexicalDistance(input, o)] as const)
    .filter(([, d]) => d <= threshold);
  return scored.sort((x, y) => x[1] - y[1]).map(([o]) => o);
}

/** `"a"`, `"a" or "b"`, `"a", "b", or "c"` (at most five). */
export function quotedOrList(items: readonly string[]): string {
  const q = items.slice(0, 5).map((i) => `"${i}"`);
  if (q.length === 2) return `${q[0]} or ${q[1]}`;
  return q.map((x, i) => (i === 0 ? x : i === q.length - 1 ? `, or ${x}` : `, ${x}`)).join("");
}
