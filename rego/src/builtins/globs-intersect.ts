/**
 * regex.globs_match: whether two simple regex-like globs (literals, `.`,
 * `[...]` classes, each optionally followed by `*`, `+` or `?`) can match a
 * common string. Explores the product of the two token sequences.
 */
import { BuiltinError } from "../errors.ts";

type CharSet =
  | { kind: "any" }
  | { kind: "lit"; ch: string }
  | { kind: "class"; negated: boolean; ranges: [number, number][] };

interface Token {
  set: CharSet;
  quant: "" | "*" | "?";
}

function tokenize(p: string): Token[] {
  const out: Token[] = [];
  const cps = [...p];
  let i = 0;
  while (i < cps.length) {
    let set: CharSet;
    const c = cps[i]!;
    if (c === "\\") {
      if (i + 1 >= cps.length) throw new BuiltinError("regex.globs_match: trailing backslash");
      set = { kind: "lit", ch: cps[i + 1]! };
      i += 2;
    } else if (c === ".") {
      set = { kind: "any" };
      i++;
    } else if (c === "[") {
      let j = i + 1;
      const negated = cps[j] === "^";
      if (negated) j++;
      const ranges: [number, number][] = [];
      while (j < cps.length && cps[j] !== "]") {
        let a = cps[j]!;
        if (a === "\\") a = cps[++j] ?? "\\";
        const lo = a.codePointAt(0)!;
        if (cps[j + 1] === "-" && cps[j + 2] !== undefined && cps[j + 2] !== "]") {
          ranges.push([lo, cps[j + 2]!.codePointAt(0)!]);
          j += 3;
        } else {
          ranges.push([lo, lo]);
          j++;
        }
      }
      if (j >= cps.length)
        throw new BuiltinError("regex.globs_match: unterminated character class");
      set = { kind: "class", negated, ranges };
      i = j + 1;
    } else if (c === "*" || c === "+" || c === "?") {
      throw new BuiltinError(`regex.globs_match: quantifier ${c} without a token`);
    } else {
      set = { kind: "lit", ch: c };
      i++;
    }
    const q = cps[i];
    if (q === "*" || q === "?") {
      out.push({ set, quant: q });
      i++;
    } else if (q === "+") {
      out.push({ set, quant: "" }, { set, quant: "*" });
      i++;
    } else out.push({ set, quant: "" });
  }
  return out;
}

function contains(s: CharSet, cp: number): boolean {
  if (s.kind === "any") return true;
  if (s.kind === "lit") return s.ch.codePointAt(0) === cp;
  const hit = s.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
  return s.negated ? !hit : hit;
}

function intersects(a: CharSet, b: CharSet): boolean {
  if (a.kind === "any" || b.kind === "any") return true;
  if (a.kind === "lit") return contains(b, a.ch.codePointAt(0)!);
  if (b.kind === "lit") return contains(a, b.ch.codePointAt(0)!);
  if (a.negated || b.negated) {
    // Some character outside both exclusions exists unless both cover everything.
    if (a.negated && b.negated) return true;
    const [pos, neg] = a.negated ? [b, a] : [a, b];
    return pos.ranges.some(([lo, hi]) => {
      for (let cp = lo; cp <= hi && cp < lo + 512; cp++) if (contains(neg, cp)) return true;
      return hi - lo >= 512;
    });
  }
  return a.ranges.some(([alo, ahi]) => b.ranges.some(([blo, bhi]) => alo <= bhi && blo <= ahi));
}

export function globsMatch(p1: string, p2: string): boolean {
  const a = tokenize(p1);
  const b = tokenize(p2);
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (ta && ta.quant !== "") stack.push([i + 1, j]);
    if (tb && tb.quant !== "") stack.push([i, j + 1]);
    if (ta && tb && intersects(ta.set, tb.set)) {
      stack.push([ta.quant === "*" ? i : i + 1, tb.quant === "*" ? j : j + 1]);
    }
  }
  return false;
}
