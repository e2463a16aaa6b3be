/**
 * Number arithmetic with OPA's precision: integers stay exact (promoted to
 * `bigint` beyond ±2^53), anything with a fraction is a float64.
 */
import { BuiltinError } from "../errors.ts";

export type Num = number | bigint;

/** A float result beyond float64 (OPA would keep a big float): an error, never Infinity. */
function finite(x: number): number {
  if (!Number.isFinite(x)) throw new BuiltinError("number too large: result exceeds float64 range");
  return x;
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = -MAX;

/** Canonical form: a `bigint` only when outside the safe-integer range. */
export function norm(x: bigint): Num {
  return x >= MIN && x <= MAX ? Number(x) : x;
}

export function isInteger(x: Num): boolean {
  return typeof x === "bigint" || Number.isInteger(x);
}

/**
 * An integer's exact value. A float64 beyond 2^53 is read from its shortest
 * decimal form (`1e+109` → 10^109), as OPA keeps number literals as text.
 */
function big(x: Num): bigint {
  if (typeof x === "bigint") return x;
  if (Number.isSafeInteger(x)) return BigInt(x);
  const m = /^(-?)(\d+)(?:\.(\d+))?e\+(\d+)$/.exec(String(x));
  if (!m) return BigInt(x);
  const frac = m[3] ?? "";
  const digits = BigInt(`${m[1]}${m[2]}${frac}`);
  return digits * 10n ** BigInt(Number(m[4]) - frac.length);
}

const isBig = (x: Num) => typeof x === "bigint" || !Number.isSafeInteger(x);

/** Both operands integers and one of them large: exact arithmetic through bigint. */
function exact(a: Num, b: Num): boolean {
  return isInteger(a) && isInteger(b) && (isBig(a) || isBig(b));
}

/**
 * A float's exact decimal value as written in its shortest form (0.1 is
 * 1/10, as OPA reads the number's text), for sums and products that do not
 * pick up float64 noise (0.1 + 0.2 == 0.3, as in OPA).
 */
function decimal(x: number): [bigint, number] {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x))!;
  const frac = m[3] ?? "";
  const exp = Number(m[4] ?? 0);
  const digits = BigInt(`${m[1]}${m[2]}${frac}`);
  const scale = frac.length - exp;
  return scale >= 0 ? [digits, scale] : [digits * 10n ** BigInt(-scale), 0];
}

function fromDecimal(digits: bigint, scale: number): number {
  return finite(Number(`${digits}e-${scale}`));
}

function decimalAdd(a: number, b: number): number {
  const [da, sa] = decimal(a);
  const [db, sb] = decimal(b);
  const s = Math.max(sa, sb);
  return fromDecimal(da * 10n ** BigInt(s - sa) + db * 10n ** BigInt(s - sb), s);
}

function decimalMul(a: number, b: number): number {
  const [da, sa] = decimal(a);
  const [db, sb] = decimal(b);
  return fromDecimal(da * db, sa + sb);
}

export function add(a: Num, b: Num): Num {
  if (exact(a, b)) return norm(big(a) + big(b));
  if (typeof a === "number" && typeof b === "number") {
    const r = a + b;
    if (Number.isSafeInteger(r) && Number.isInteger(a) && Number.isInteger(b)) return r;
    if (Number.isInteger(a) && Number.isInteger(b)) return norm(BigInt(a) + BigInt(b));
    return Number.isFinite(a) && Number.isFinite(b) ? decimalAdd(a, b) : finite(r);
  }
  return finite(Number(a) + Number(b));
}

export function sub(a: Num, b: Num): Num {
  return add(a, neg(b));
}

export function neg(a: Num): Num {
  return typeof a === "bigint" ? norm(-a) : -a;
}

export function mul(a: Num, b: Num): Num {
  if (exact(a, b)) return norm(big(a) * big(b));
  if (typeof a === "number" && typeof b === "number") {
    const r = a * b;
    if (Number.isSafeInteger(r) && Number.isInteger(a) && Number.isInteger(b)) return r;
    if (Number.isInteger(a) && Number.isInteger(b)) return norm(BigInt(a) * BigInt(b));
    return Number.isFinite(a) && Number.isFinite(b) ? decimalMul(a, b) : finite(r);
  }
  return finite(Number(a) * Number(b));
}

/** Caller checks for zero. Exact when both are integers and the quotient is whole. */
export function div(a: Num, b: Num): Num {
  if (exact(a, b)) {
    const x = big(a);
    const y = big(b);
    if (x % y === 0n) return norm(x / y);
  }
  return finite(Number(a) / Number(b));
}

/** Integer remainder, sign of the dividend (Go's big.Int Rem). Caller checks operands. */
export function rem(a: Num, b: Num): Num {
  if (typeof a === "number" && typeof b === "number") return a % b;
  return norm(big(a) % big(b));
}

export function isZero(a: Num): boolean {
  return a === 0 || a === 0n;
}

export function abs(a: Num): Num {
  return typeof a === "bigint" ? (a < 0n ? norm(-a) : a) : Math.abs(a);
}

/** Round half away from zero, as OPA does. */
export function round(a: Num): Num {
  if (typeof a === "bigint") return a;
  const r = Math.sign(a) * Math.round(Math.abs(a));
  return Object.is(r, -0) ? 0 : r;
}

export function floor(a: Num): Num {
  return typeof a === "bigint" ? a : Math.floor(a);
}

export function ceil(a: Num): Num {
  if (typeof a === "bigint") return a;
  const r = Math.ceil(a);
  return Object.is(r, -0) ? 0 : r;
}

export function toBigInt(a: Num): bigint {
  return big(a);
}
