/**
 * String builtins. Positions and lengths count code points, as OPA counts
 * runes; case mapping is per code point, as Go's `strings.ToUpper`.
 */
import { OperandTypeError } from "../errors.ts";
import { RSet, typeName, type Value } from "../value.ts";
import { sprintf } from "./sprintf.ts";
import type { BuiltinTable } from "./types.ts";
import {
  ANY,
  arr,
  BOOL,
  def,
  fail,
  int,
  NUM,
  num,
  OBJ,
  obj,
  STR,
  STRS,
  str,
  strings,
} from "./util.ts";

/** Go's unicode.IsSpace. */
const SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;

function trimSet(s: string, cut: string, left: boolean, right: boolean): string {
  const cps = [...s];
  const drop = new Set([...cut]);
  let a = 0;
  let b = cps.length;
  if (left) while (a < b && drop.has(cps[a]!)) a++;
  if (right) while (b > a && drop.has(cps[b - 1]!)) b--;
  return cps.slice(a, b).join("");
}

function trimSpace(s: string): string {
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  while (a < b && SPACE.test(cps[a]!)) a++;
  while (b > a && SPACE.test(cps[b - 1]!)) b--;
  return cps.slice(a, b).join("");
}

function mapCase(s: string, upper: boolean): string {
  let out = "";
  for (const ch of s) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

/** Code-point index of UTF-16 index `i` in `s`. */
function cpIndex(s: string, i: number): number {
  return [...s.slice(0, i)].length;
}

function replaceAll(s: string, old: string, rep: string): string {
  if (old === "") return rep + [...s].join(rep) + (s === "" ? "" : rep);
  return s.split(old).join(rep);
}

/** Go's strings.NewReplacer: leftmost match, earlier (sorted) pattern first. */
function replaceN(patterns: readonly (readonly [string, string])[], s: string): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    const hit = patterns.find(([old]) => old !== "" && s.startsWith(old, i));
    if (hit) {
      out += hit[1];
      i += hit[0].length;
    } else {
      out += s[i];
      i++;
    }
  }
  return out;
}

/** An operand that is a string or an array/set of strings. */
function stringOrStrings(name: string, args: readonly Value[], i: number): string[] {
  const v = args[i] as Value;
  if (typeof v === "string") return [v];
  if (Array.isArray(v) || v instanceof RSet) {
    const items = Array.isArray(v) ? (v as readonly Value[]) : [...(v as RSet)];
    for (const x of items) {
      if (typeof x !== "string") {
        throw new OperandTypeError(
          `${name}: operand ${i + 1} must be array of strings but got array containing ${typeName(x)}`,
        );
      }
    }
    return items as string[];
  }
  throw new OperandTypeError(
    `${name}: operand ${i + 1} must be one of {string, set, array} but got ${typeName(v)}`,
  );
}

function formatInt(args: readonly Value[]): string {
  const n = num("format_int", args, 0);
  const base = Number(int("format_int", args, 1));
  if (![2, 8, 10, 16].includes(base)) {
    throw new OperandTypeError("format_int: operand 2 must be one of {2, 8, 10, 16}");
  }
  const whole = typeof n === "bigint" ? n : BigInt(Math.trunc(n));
  return whole.toString(base);
}

function substring(args: readonly Value[]): string {
  const s = str("substring", args, 0);
  const start = Number(int("substring", args, 1));
  const len = Number(int("substring", args, 2));
  if (start < 0) fail("substring", "negative offset");
  const cps = [...s];
  if (start >= cps.length) return "";
  return (len < 0 ? cps.slice(start) : cps.slice(start, start + len)).join("");
}

function indexOfN(s: string, sub: string): number[] {
  if (sub === "") fail("indexof_n", "empty search character");
  const out: number[] = [];
  const cps = [...s];
  for (let i = 0, u = 0; i < cps.length; u += cps[i]!.length, i++) {
    if (s.startsWith(sub, u)) out.push(i);
  }
  return out;
}

function count(s: string, sub: string): number {
  if (sub === "") return [...s].length + 1;
  return s.split(sub).length - 1;
}

const s1 = (name: string, f: (s: string) => Value) =>
  def(name, [STR], ANY, (args) => f(str(name, args, 0)));
const s2 = (name: string, f: (a: string, b: string) => Value | undefined) =>
  def(name, [STR, STR], ANY, (args) => f(str(name, args, 0), str(name, args, 1)));

export const stringBuiltins: BuiltinTable = [
  def("concat", [STR, { oneOf: [STRS, { set: STR }] }], STR, (args) =>
    strings("concat", args, 1).join(str("concat", args, 0)),
  ),
  s2("contains", (a, b) => a.includes(b)),
  s2("startswith", (a, b) => a.startsWith(b)),
  s2("endswith", (a, b) => a.endsWith(b)),
  def("format_int", [NUM, NUM], STR, formatInt),
  s2("indexof", (a, b) => {
    if (b === "") fail("indexof", "empty search character");
    const i = a.indexOf(b);
    return i < 0 ? -1 : cpIndex(a, i);
  }),
  s2("indexof_n", indexOfN),
  s1("lower", (s) => mapCase(s, false)),
  s1("upper", (s) => mapCase(s, true)),
  def("replace", [STR, STR, STR], STR, (args) =>
    replaceAll(str("replace", args, 0), str("replace", args, 1), str("replace", args, 2)),
  ),
  s2("split", (s, sep) => (sep === "" ? [...s] : s.split(sep))),
  def("sprintf", [STR, { array: ANY }], STR, (args) =>
    sprintf(str("sprintf", args, 0), arr("sprintf", args, 1)),
  ),
  def("strings.replace_n", [OBJ, STR], STR, (args) => {
    const patterns = obj("strings.replace_n", args, 0).sortedEntries();
    const pairs = patterns.map(([k, v]) => {
      if (typeof k !== "string")
        fail("strings.replace_n", "operand 1 non-string key found in pattern object");
      if (typeof v !== "string")
        fail("strings.replace_n", "operand 1 non-string value found in pattern object");
      return [k as string, v as string] as const;
    });
    return replaceN(pairs, str("strings.replace_n", args, 1));
  }),
  def("strings.reverse", [STR], STR, (args) => [...str("reverse", args, 0)].reverse().join("")),
  def("strings.any_prefix_match", [ANY, ANY], BOOL, (args) => {
    const ss = stringOrStrings("strings.any_prefix_match", args, 0);
    const ps = stringOrStrings("strings.any_prefix_match", args, 1);
    return ss.some((s) => ps.some((p) => s.startsWith(p)));
  }),
  def("strings.any_suffix_match", [ANY, ANY], BOOL, (args) => {
    const ss = stringOrStrings("strings.any_suffix_match", args, 0);
    const ps = stringOrStrings("strings.any_suffix_match", args, 1);
    return ss.some((s) => ps.some((p) => s.endsWith(p)));
  }),
  s2("strings.count", count),
  def("substring", [STR, NUM, NUM], STR, substring),
  s2("trim", (s, c) => trimSet(s, c, true, true)),
  s2("trim_left", (s, c) => trimSet(s, c, true, false)),
  s2("trim_right", (s, c) => trimSet(s, c, false, true)),
  s2("trim_prefix", (s, p) => (s.startsWith(p) ? s.slice(p.length) : s)),
  s2("trim_suffix", (s, p) => (p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
  s1("trim_space", trimSpace),
];
