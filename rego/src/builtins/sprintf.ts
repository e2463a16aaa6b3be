/**
 * `sprintf` with Go's fmt verbs. OPA hands Go integers (int or *big.Int),
 * float64s and strings; every other value is passed as its Rego text, so
 * `%v` of `[1, "a"]` is `[1, "a"]` and `%d` of a string is `%!d(string=...)`.
 */
import type { Value } from "../value.ts";
import { formatValue, goQuote } from "./format.ts";

type Arg =
  | { kind: "int"; v: bigint; big: boolean }
  | { kind: "float"; v: number }
  | { kind: "string"; v: string };

function toArg(v: Value): Arg {
  if (typeof v === "bigint") return { kind: "int", v, big: true };
  if (typeof v === "number") {
    // Integers beyond 2^53 arrive as bigint; a larger JS number came from a float (1e21).
    return Number.isSafeInteger(v)
      ? { kind: "int", v: BigInt(v), big: false }
      : { kind: "float", v };
  }
  if (typeof v === "string") return { kind: "string", v };
  return { kind: "string", v: formatValue(v) };
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

function goType(a: Arg): string {
  return a.kind === "int"
    ? a.big
      ? "*big.Int"
      : "int"
    : a.kind === "float"
      ? "float64"
      : "string";
}

function plain(a: Arg): string {
  if (a.kind === "int") return a.v.toString();
  if (a.kind === "float") return formatG(a.v, undefined, false);
  return a.v;
}

function bad(verb: string, a: Arg): string {
  return `%!${verb}(${goType(a)}=${plain(a)})`;
}

/** Go's %e: mantissa with `prec` decimals, exponent of at least two digits. */
function formatE(x: number, prec: number | undefined, upper: boolean): string {
  if (!Number.isFinite(x)) return special(x);
  const s = prec === undefined ? x.toExponential() : x.toExponential(prec);
  const [m, e] = s.split("e") as [string, string];
  const sign = e[0] === "-" ? "-" : "+";
  const digits = e.replace(/^[+-]/, "").padStart(2, "0");
  const out = `${m}e${sign}${digits}`;
  return upper ? out.toUpperCase() : out;
}

function special(x: number): string {
  return Number.isNaN(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf";
}

/** Go's %g: shortest (or `prec` significant digits), %e form for large/small exponents. */
function formatG(x: number, prec: number | undefined, upper: boolean): string {
  if (!Number.isFinite(x)) return special(x);
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  let p = prec;
  if (p === 0) p = 1;
  const exp = p === undefined ? x.toExponential() : x.toExponential(p - 1);
  const [mant, e] = exp.split("e") as [string, string];
  const ex = Number(e);
  const digits = mant.replace(/[-.]/g, "").replace(/0+$/, "") || "0";
  // Go decides with precision 6 when printing the shortest form.
  const eprec =
    p === undefined ? 6 : p > digits.length && digits.length >= ex + 1 ? digits.length : p;
  if (ex < -4 || ex >= eprec) {
    return formatE(x, Math.max(digits.length - 1, 0), upper);
  }
  const decimals = Math.max(digits.length - 1 - ex, 0);
  return x.toFixed(decimals);
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  const w = spec.width ?? 0;
  const len = [...s].length;
  if (len >= w) return s;
  if (spec.minus) return s + " ".repeat(w - len);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : "";
    return sign + "0".repeat(w - len) + s.slice(sign.length);
  }
  return " ".repeat(w - len) + s;
}

function signed(s: string, negative: boolean, spec: Spec): string {
  if (negative) return `-${s}`;
  return spec.plus ? `+${s}` : spec.space ? ` ${s}` : s;
}

function formatInt(v: bigint, big: boolean, verb: string, spec: Spec): string | undefined {
  if (verb === "s" && !big) return undefined;
  const neg = v < 0n;
  const a = neg ? -v : v;
  let s: string;
  switch (verb) {
    case "d":
    case "v":
    case "s":
      s = a.toString();
      break;
    case "x":
      s = (spec.sharp ? "0x" : "") + a.toString(16);
      break;
    case "X":
      s = (spec.sharp ? "0X" : "") + a.toString(16).toUpperCase();
      break;
    case "o":
      s = (spec.sharp ? "0" : "") + a.toString(8);
      break;
    case "O":
      s = `0o${a.toString(8)}`;
      break;
    case "b":
      s = a.toString(2);
      break;
    case "c":
      return String.fromCodePoint(Number(v));
    case "q":
      return `'${String.fromCodePoint(Number(v))}'`;
    case "U":
      return `U+${a.toString(16).toUpperCase().padStart(4, "0")}`;
    default:
      return undefined;
  }
  if (spec.prec !== undefined) s = s.padStart(spec.prec, "0");
  return signed(s, neg, spec);
}

function formatFloat(v: number, verb: string, spec: Spec): string | undefined {
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  let s: string;
  switch (verb) {
    case "v":
    case "g":
    case "G":
      s = formatG(a, spec.prec, verb === "G");
      break;
    case "f":
    case "F":
      s = Number.isFinite(a) ? a.toFixed(spec.prec ?? 6) : special(a);
      break;
    case "e":
    case "E":
      s = formatE(a, spec.prec ?? 6, verb === "E");
      break;
    default:
      return undefined;
  }
  return signed(s, neg, spec);
}

/**
 * A string cut to the precision, in code points. A module function: with
 * keepNames (tsx, wrangler) a local closure is named on every call.
 */
function cut(s: string, spec: Spec): string {
  return spec.prec === undefined ? s : [...s].slice(0, spec.prec).join("");
}

function formatString(v: string, verb: string, spec: Spec): string | undefined {
  switch (verb) {
    case "s":
      return cut(v, spec);
    case "v":
      return spec.sharp ? goQuote(cut(v, spec)) : cut(v, spec);
    case "q":
      return goQuote(cut(v, spec));
    case "x":
    case "X": {
      const hex = [...new TextEncoder().encode(v)]
        .map((b) => b.toString(16).padStart(2, "0"))
        .join(spec.space ? " " : "");
      return verb === "X" ? hex.toUpperCase() : hex;
    }
    default:
      return undefined;
  }
}

function formatOne(a: Arg, verb: string, spec: Spec): string {
  if (verb === "T") return pad(goType(a), spec, false);
  const out =
    a.kind === "int"
      ? formatInt(a.v, a.big, verb, spec)
      : a.kind === "float"
        ? formatFloat(a.v, verb, spec)
        : formatString(a.v, verb, spec);
  if (out === undefined) return bad(verb, a);
  return pad(out, spec, a.kind !== "string");
}

type Piece = string | { spec: Spec; verb: string; argIndex?: number } | { bad: string };

const parsed = new Map<string, Piece[]>();

/** Splits a format into literal text and verbs (memoised: formats are usually constants). */
function parseFormat(format: string): Piece[] {
  const hit = parsed.get(format);
  if (hit) return hit;
  const out: Piece[] = [];
  let lit = "";
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if (c !== "%") {
      lit += c;
      i++;
      continue;
    }
    i++;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === "-") spec.minus = true;
      else if (f === "+") spec.plus = true;
      else if (f === "#") spec.sharp = true;
      else if (f === " ") spec.space = true;
      else if (f === "0") spec.zero = true;
      else break;
    }
    let argIndex: number | undefined;
    const idx = /^\[(\d+)\]/.exec(format.slice(i, i + 12));
    if (idx) {
      argIndex = Number(idx[1]) - 1;
      i += idx[0].length;
    }
    let w = "";
    while (i < format.length && format[i]! >= "0" && format[i]! <= "9") w += format[i++];
    if (w) spec.width = Number(w);
    if (format[i] === ".") {
      let p = "";
      i++;
      while (i < format.length && format[i]! >= "0" && format[i]! <= "9") p += format[i++];
      spec.prec = Number(p || "0");
    }
    if (i >= format.length) {
      if (lit) out.push(lit);
      lit = "";
      out.push({ bad: "%!(NOVERB)" });
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === "%") {
      lit += "%";
      continue;
    }
    if (lit) out.push(lit);
    lit = "";
    out.push(argIndex === undefined ? { spec, verb } : { spec, verb, argIndex });
  }
  if (lit) out.push(lit);
  if (parsed.size > 2000) parsed.clear();
  parsed.set(format, out);
  return out;
}

/** Go's `fmt.Sprintf(format, args...)` over Rego values. */
export function sprintf(format: string, values: readonly Value[]): string {
  const args = values.map(toArg);
  let out = "";
  let next = 0;
  let reordered = false;
  for (const p of parseFormat(format)) {
    if (typeof p === "string") out += p;
    else if ("bad" in p) out += p.bad;
    else {
      if (p.argIndex !== undefined) {
        next = p.argIndex;
        reordered = true;
      }
      const arg = args[next];
      if (arg === undefined) {
        out += `%!${p.verb}(MISSING)`;
        continue;
      }
      next++;
      out += formatOne(arg, p.verb, p.spec);
    }
  }
  if (!reordered && next < args.length) {
    const extra = args.slice(next).map((a) => `${goType(a)}=${plain(a)}`);
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
