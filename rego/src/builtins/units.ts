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

function split(name: string, raw: string): [Decimal, string] {
  const s = raw.replace(/^"|"$/g, "");
  if (/\s/.test(s)) fail(name, "spaces not allowed in resource strings");
  const m = /^([0-9.]*)((?:[eE][+-]?[0-9]+)?)(.*)$/.exec(s)!;
  const [, amount = "", exp = "", unit = ""] = m;
  if (amount === "") fail(name, "no amount provided");
  if (!/^(\d+\.?\d*|\.\d+)$/.test(amount)) fail(name, "could not parse amount to a number");
  const [whole = "", frac = ""] = amount.split(".");
  let digits = BigInt(`${whole}${frac}` || "0");
  let scale = frac.length;
  const e = exp === "" ? 0 : Number(exp.slice(1));
  if (e >= 0) digits *= pow(10n, e);
  else scale -= e;
  return [{ digits, scale }, unit];
}

function toNumber(d: Decimal): number | bigint {
  const den = pow(10n, d.scale);
  if (d.digits % den === 0n) return norm(d.digits / den);
  return Number(`${d.digits}e-${d.scale}`);
}

function parse(args: readonly Value[]): Value {
  const [amount, unit] = split("units.parse", str("units.parse", args, 0));
  // "m" is milli; every other suffix is case-insensitive ("M" is mega).
  if (unit === "m") return toNumber({ digits: amount.digits, scale: amount.scale + 3 });
  const mult = SI[unit.toLowerCase()];
  if (mult === undefined) fail("units.parse", `unknown unit ${unit}`);
  return toNumber({ digits: amount.digits * mult, scale: amount.scale });
}

function parseBytes(args: readonly Value[]): Value {
  const [amount, unit] = split("units.parse_bytes", str("units.parse_bytes", args, 0));
  const mult = BYTES[unit.toLowerCase()];
  if (mult === undefined) fail("units.parse_bytes", `unknown unit ${unit}`);
  return norm((amount.digits * mult) / pow(10n, amount.scale));
}

export const unitBuiltins: BuiltinTable = [
  def("units.parse", [STR], NUM, parse),
  def("units.parse_bytes", [STR], NUM, parseBytes),
];
