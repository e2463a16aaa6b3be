/**
 * units.parse ("500m", "1.5Gi") and units.parse_bytes ("10KiB", "1e3KB"),
 * computed exactly in decimal so that `units.parse("500m") == 0.5`.
 */
import type { Value } from "../value.ts";
import { norm } from "./numeric.ts";
import type { BuiltinTable } from "./types.ts";
import { def, fail, NUM, STR, str } from "./util.ts";

const pow = (b: bigint, e: number) => b ** BigInt(e);

/** Multipliers as [numerator, decimal places]. */
const SI: Record<string, bigint> = {
  "": 1n,
  k: pow(10n, 3),
  m: pow(10n, 6),
  g: pow(10n, 9),
  t: pow(10n, 12),
  p: pow(10n, 15),
  e: pow(10n, 18),
  ki: pow(2n, 10),
  mi: pow(2n, 20),
  gi: pow(2n, 30),
  ti: pow(2n, 40),
  pi: pow(2n, 50),
  ei: pow(2n, 60),
};

const BYTES: Record<string, bigint> = { ...SI, b: 1n };
for (const k of ["k", "m", "g", "t", "p", "e"]) {
  BYTES[`${k}b`] = SI[k]!;
  BYTES[`${k}ib`] = SI[`${k}i`]!;
}

/** An exact decimal: `digits / 10^scale`. */
interface Decimal {
  digits: bigint;
  scale: number;
}

/**
 * OPA's extractNumAndUnit: the amount runs over digits, '.', signs and an
 * exponent (an `e` followed by a digit or sign); the rest is the unit.
 */
function extract(s: string): [string, string] {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (/[0-9.+-]/.test(c)) continue;
    if ((c === "e" || c === "E") && /[0-9+-]/.test(s[i + 1] ?? "")) {
      const digits = /^[+-]?(\d*)/.exec(s.slice(i + 1))![1]!;
      if (digits.length > 6) throw new RangeError("exponent too large");
      continue;
    }
    break;
  }
  return [s.slice(0, i), s.slice(i)];
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const [, sign = "", whole = "", frac = "", exp = "0"] = m;
  let digits = BigInt(`${whole}${frac}` || "0");
  if (sign === "-") digits = -digits;
  let scale = frac.length;
  const e = Number(exp);
  if (e >= 0) digits *= pow(10n, e);
  else scale -= e;
  return { digits, scale };
}

/** Splits and parses `raw`; `what` is "amount" or "byte amount" for OPA's messages. */
function split(name: string, raw: string, what: string): [Decimal, string] {
  if (raw.includes(" ")) fail(name, "spaces not allowed in resource strings");
  let num: string;
  let unit: string;
  try {
    [num, unit] = extract(raw);
  } catch {
    return fail(name, "exponent too large");
  }
  if (num === "") fail(name, `no ${what} provided`);
  const d = parseDecimal(num);
  if (!d) fail(name, `could not parse ${what} to a number`);
  return [d, unit];
}

/** An integer exactly; otherwise rounded to 10 decimals, as OPA prints big.Rat.FloatString(10). */
function toNumber(d: Decimal): number | bigint {
  if (d.scale <= 0) return norm(d.digits * pow(10n, -d.scale));
  const den = pow(10n, d.scale);
  if (d.digits % den === 0n) return norm(d.digits / den);
  if (d.scale <= 10) return Number(`${d.digits}e-${d.scale}`);
  const div = pow(10n, d.scale - 10);
  const neg = d.digits < 0n;
  const abs = neg ? -d.digits : d.digits;
  let q = abs / div;
  if ((abs % div) * 2n >= div) q += 1n;
  return Number(`${neg ? "-" : ""}${q}e-10`);
}

function parse(args: readonly Value[]): Value {
  const raw = str("units.parse", args, 0).replaceAll('"', "");
  const [amount, unit] = split("units.parse", raw, "amount");
  // "m" is milli; every other suffix is case-insensitive ("M" is mega).
  if (unit === "m") return toNumber({ digits: amount.digits, scale: amount.scale + 3 });
  const mult = unit === "M" ? SI.m : SI[unit.toLowerCase()];
  const normalized = unit.slice(0, 1) + unit.slice(1).toLowerCase();
  if (mult === undefined || !/^([kKMgGtTpPeE]i?|[mM]i|)$/.test(normalized)) {
    fail("units.parse", `unit ${normalized} not recognized`);
  }
  return toNumber({ digits: amount.digits * mult, scale: amount.scale });
}

function parseBytes(args: readonly Value[]): Value {
  const raw = str("units.parse_bytes", args, 0).toLowerCase().replaceAll('"', "");
  const [amount, unit] = split("units.parse_bytes", raw, "byte amount");
  const mult = BYTES[unit];
  if (mult === undefined) fail("units.parse_bytes", `byte unit ${unit} not recognized`);
  return norm((amount.digits * mult) / pow(10n, amount.scale));
}

export const unitBuiltins: BuiltinTable = [
  def("units.parse", [STR], NUM, parse),
  def("units.parse_bytes", [STR], NUM, parseBytes),
];
