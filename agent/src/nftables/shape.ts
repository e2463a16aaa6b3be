/**
 * A ruleset reduced to what drift detection compares: the hash the agent
 * embedded, each chain's hook and its rules' comments in order, each set's
 * elements. Both the renderer (expected) and `parseNftJson` (actual, from
 * `nft -j list table`) produce it, so reconcile never compares nft's
 * pretty-printed text.
 */
export interface RulesetShape {
  /** False when the table does not exist. */
  exists: boolean;
  /** The `tether sha256:<hex>` marker found in a rule comment, or null. */
  hash: string | null;
  /** Chain name → `{ hook: "filter input 0 accept" | null, rules: comment per rule }`. */
  chains: Record<string, { hook: string | null; rules: string[] }>;
  /** Set name → elements, sorted. */
  sets: Record<string, string[]>;
}

export const ABSENT: RulesetShape = Object.freeze({
  exists: false,
  hash: null,
  chains: {},
  sets: {},
});

/** The comment carrying the ruleset hash: `tether sha256:<64 hex>`. */
export const HASH_MARK = "tether sha256:";
export const HASH_IN_COMMENT = /^tether sha256:([0-9a-f]{64})$/;

/**
 * Why `actual` is not `expected` (empty when in sync): a different hash,
 * a chain or set missing, added or changed (e.g. a rule or element deleted
 * by hand). A rule edited in place with its comment kept is not seen.
 */
export function rulesetDrift(expected: RulesetShape, actual: RulesetShape): string[] {
  if (!expected.exists) return actual.exists ? ["table present, want none"] : [];
  if (!actual.exists) return ["table missing"];
  const out: string[] = [];
  if (actual.hash !== expected.hash)
    out.push(`hash ${actual.hash ?? "missing"}, want ${expected.hash}`);
  compareRecords("chain", expected.chains, actual.chains, out, (e, a) => {
    if (e.hook !== a.hook) return `hook ${a.hook ?? "none"}, want ${e.hook ?? "none"}`;
    if (e.rules.length !== a.rules.length) return `${a.rules.length} rules, want ${e.rules.length}`;
    const i = e.rules.findIndex((c, k) => a.rules[k] !== c);
    return i < 0
      ? null
      : `rule ${i} is ${JSON.stringify(a.rules[i])}, want ${JSON.stringify(e.rules[i])}`;
  });
  compareRecords("set", expected.sets, actual.sets, out, (e, a) => {
    if (e.length === a.length && e.every((x, k) => a[k] === x)) return null;
    const have = new Set(a);
    const missing = e.filter((x) => !have.has(x));
    return `${a.length} elements, want ${e.length}${missing.length ? ` (missing ${missing.slice(0, 3).join(", ")})` : ""}`;
  });
  return out;
}

function compareRecords<T>(
  kind: string,
  expected: Record<string, T>,
  actual: Record<string, T>,
  out: string[],
  differ: (e: T, a: T) => string | null,
): void {
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    if (a === undefined) out.push(`${kind} ${name} missing`);
    else {
      const why = differ(e, a);
      if (why) out.push(`${kind} ${name}: ${why}`);
    }
  }
  for (const name of Object.keys(actual)) {
    if (!(name in expected)) out.push(`${kind} ${name} not ours`);
  }
}
