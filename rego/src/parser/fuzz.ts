import { RegoError } from "../errors.ts";
import { parseModule } from "./module.ts";

/** Seeds mutated by the fuzzer: small modules covering most syntax. */
export const SEEDS = [
  'package a\n\nimport rego.v1\n\np := 1\nq contains x if { some x in [1, 2] }\nr[k] := v if { some k, v in {"a": 1} }\nf(x) := y if y := x + 1\n',
  'package b.c\n\ndefault allow := false\nallow if {\n\tinput.user == "admin"\n\tnot deny\n} else := true if {\n\tevery x in input.xs { x > 0 }\n}\ndeny if count([x | x := input.a[_]; x == 1]) > 0\n',
  'package t\n\ns := $"hello {input.name} {[1, 2][0]}"\nw := x if { x := data.q with input as {"a": {1, 2}} }\nraw := `a\\b`\n',
];

/** A tiny deterministic PRNG so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcxyz_019 \t\n{}[]().,;:=<>!+-*/%&|"`$#\\';
const TOKENS = [
  "if",
  "contains",
  "else",
  "some",
  "every",
  "in",
  "not",
  "with",
  "as",
  "default",
  ":=",
  "==",
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  '"',
  "`",
  '$"',
  "\n",
  "import",
  "package",
];

/** One random input: pure noise, or a seed with a few mutations. */
export function fuzzInput(r: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  if (r() < 0.2) {
    let s = "";
    const n = Math.floor(r() * 80);
    for (let i = 0; i < n; i++) s += r() < 0.3 ? pick(TOKENS) : pick([...ALPHABET]);
    return s;
  }
  let s = pick(SEEDS);
  const edits = 1 + Math.floor(r() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.4) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 5));
    else if (op < 0.8) s = s.slice(0, at) + pick(TOKENS) + s.slice(at);
    else s = s.slice(0, at) + pick([...ALPHABET]) + s.slice(at);
  }
  return s;
}

/**
 * Parses `n` fuzz inputs. Returns the inputs that crashed (threw something
 * other than a positioned RegoError) — the goal is none.
 */
export function fuzzParser(
  n: number,
  seed = 1,
): { crashes: { input: string; error: string }[]; errors: number } {
  const r = rng(seed);
  const crashes: { input: string; error: string }[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const src = fuzzInput(r);
    try {
      parseModule(src, "fuzz.rego");
    } catch (e) {
      if (
        e instanceof RegoError &&
        e.code === "rego_parse_error" &&
        e.location &&
        e.location.line >= 1
      ) {
        errors++;
        continue;
      }
      crashes.push({
        input: src,
        error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      });
    }
  }
  return { crashes, errors };
}
