/** net.cidr_* builtins (IPv4 and IPv6) and net.lookup_ip_addr for IP literals. */
import { BuiltinError } from "../errors.ts";
import { RObject, RSet, type Value } from "../value.ts";
import {
  bitsOf,
  type Cidr,
  formatCidr,
  formatIp,
  lastOf,
  networkOf,
  parseCidr,
  parseIp,
} from "./net-ip.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, BOOL, DEPRECATED, def, fail, STR, str, typeError } from "./util.ts";

function cidrOperand(name: string, s: string): Cidr {
  const c = parseCidr(s);
  if (!c) fail(name, `invalid CIDR address: ${s}`);
  return c;
}

/** A CIDR, or a single IP as a /32 (/128) block. */
function cidrOrIp(name: string, s: string): Cidr {
  if (s.includes("/")) return cidrOperand(name, s);
  const ip = parseIp(s);
  if (!ip) fail(name, `invalid IP address: ${s}`);
  const prefix = bitsOf(ip.v6);
  return { v6: ip.v6, start: ip.n, prefix, addr: ip.n };
}

/**
 * A block's first and last address, for containment tests: as numbers for
 * IPv4 (exact below 2^53, and compared without BigInt arithmetic), as
 * bigints for IPv6 (`lo` and `hi` then unused).
 */
interface Range {
  v6: boolean;
  start: bigint;
  last: bigint;
  lo: number;
  hi: number;
}

/**
 * Ranges of valid CIDR (`cidrs`) and CIDR-or-IP (`targets`) operands by their
 * text: policies test the same blocks and addresses over and over. Bounded,
 * cleared when full; invalid operands are not kept (they throw).
 */
const cidrRanges = new Map<string, Range>();
const targetRanges = new Map<string, Range>();
const MAX_RANGES = 10_000;

function remember(cache: Map<string, Range>, s: string, c: Cidr): Range {
  const last = lastOf(c);
  const v4 = !c.v6;
  const r: Range = {
    v6: c.v6,
    start: c.start,
    last,
    lo: v4 ? Number(c.start) : 0,
    hi: v4 ? Number(last) : 0,
  };
  if (cache.size >= MAX_RANGES) cache.clear();
  cache.set(s, r);
  return r;
}

function containsText(name: string, a: string, b: string): boolean {
  const ra = cidrRanges.get(a) ?? remember(cidrRanges, a, cidrOperand(name, a));
  const rb = targetRanges.get(b) ?? remember(targetRanges, b, cidrOrIp(name, b));
  if (ra.v6 !== rb.v6) return false;
  if (!ra.v6) return ra.lo <= rb.lo && rb.hi <= ra.hi;
  return ra.start <= rb.start && rb.last <= ra.last;
}

function contains(a: Cidr, b: Cidr): boolean {
  return a.v6 === b.v6 && a.start <= b.start && lastOf(b) <= lastOf(a);
}

function intersects(a: Cidr, b: Cidr): boolean {
  return a.v6 === b.v6 && a.start <= lastOf(b) && b.start <= lastOf(a);
}

function expand(args: readonly Value[]): Value {
  const c = cidrOperand("net.cidr_expand", str("net.cidr_expand", args, 0));
  const last = lastOf(c);
  if (last - c.start > 1n << 24n) fail("net.cidr_expand", "CIDR too large to expand");
  const out = new RSet();
  for (let n = c.start; n <= last; n++) out.add(formatIp({ v6: c.v6, n }));
  return out;
}

/** Go's classful default mask for a bare IPv4 address. */
function defaultPrefix(n: bigint): number | undefined {
  const first = Number(n >> 24n);
  return first < 0x80 ? 8 : first < 0xc0 ? 16 : first < 0xe0 ? 24 : undefined;
}

function mergeOperand(s: string): Cidr {
  const name = "net.cidr_merge";
  if (s.includes("/")) return cidrOperand(name, s);
  const ip = parseIp(s);
  if (!ip) fail(name, `IP invalid: ${s}`);
  if (ip.v6) fail(name, "IPv6 invalid: needs prefix length");
  const prefix = defaultPrefix(ip.n);
  if (prefix === undefined) fail(name, `IPv4 invalid: needs prefix length: ${s}`);
  return { v6: false, start: networkOf(ip.n, prefix, false), prefix, addr: ip.n };
}

/** The fewest CIDR blocks covering [start, end]. */
function rangeToCidrs(start: bigint, end: bigint, v6: boolean): Cidr[] {
  const bits = bitsOf(v6);
  const out: Cidr[] = [];
  let cur = start;
  while (cur <= end) {
    let size = 0;
    while (size < bits && (cur & ((1n << BigInt(size + 1)) - 1n)) === 0n) {
      if (cur + (1n << BigInt(size + 1)) - 1n > end) break;
      size++;
    }
    out.push({ v6, start: cur, prefix: bits - size, addr: cur });
    cur += 1n << BigInt(size);
  }
  return out;
}

function merge(args: readonly Value[]): Value {
  const v = args[0] as Value;
  if (!Array.isArray(v) && !(v instanceof RSet))
    typeError("net.cidr_merge", 1, "one of {array, set}", v);
  const blocks = (Array.isArray(v) ? (v as readonly Value[]) : [...(v as RSet)]).map((x) => {
    if (typeof x !== "string") return typeError("net.cidr_merge", 1, "array of strings", x);
    return mergeOperand(x);
  });
  const out = new RSet();
  for (const v6 of [false, true]) {
    const ranges = blocks
      .filter((b) => b.v6 === v6)
      .map((b) => [b.start, lastOf(b)] as [bigint, bigint])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: [bigint, bigint][] = [];
    for (const r of ranges) {
      const top = merged[merged.length - 1];
      // biome-ignore lint/complexity/useMathMinMax: bigint operands, Math.max takes numbers.
      if (top && r[0] <= top[1] + 1n) top[1] = r[1] > top[1] ? r[1] : top[1];
      else merged.push([r[0], r[1]]);
    }
    for (const [a, b] of merged) for (const c of rangeToCidrs(a, b, v6)) out.add(formatCidr(c));
  }
  return out;
}

/** The (key, CIDR) pairs of a cidr_contains_matches operand. */
function keyed(args: readonly Value[], i: number): [Value, string][] {
  const name = "net.cidr_contains_matches";
  const v = args[i] as Value;
  const entry = (k: Value, x: Value): [Value, string] => {
    if (typeof x === "string") return [k, x];
    if (Array.isArray(x) && x.length > 0 && typeof x[0] === "string") return [k, x[0]];
    throw new BuiltinError(`${name}: operand ${i + 1}: element must be string or non-empty array`);
  };
  if (typeof v === "string") return [[v, v]];
  if (Array.isArray(v)) return (v as readonly Value[]).map((x, j) => entry(j, x));
  if (v instanceof RSet) return [...v].map((x) => entry(x, x));
  if (v instanceof RObject) return [...v.entries()].map(([k, x]) => entry(k, x));
  return typeError(name, i + 1, "one of {string, array, set, object}", v);
}

function containsMatches(args: readonly Value[]): Value {
  const name = "net.cidr_contains_matches";
  const cidrs = keyed(args, 0).map(([k, s]) => [k, cidrOperand(name, s)] as const);
  const targets = keyed(args, 1).map(([k, s]) => [k, cidrOrIp(name, s)] as const);
  const out = new RSet();
  for (const [ka, a] of cidrs) for (const [kb, b] of targets) if (contains(a, b)) out.add([ka, kb]);
  return out;
}

function lookup(args: readonly Value[]): Value {
  const host = str("net.lookup_ip_addr", args, 0);
  const ip = parseIp(host);
  if (ip) return new RSet([formatIp(ip)]);
  if (host === "localhost") return new RSet(["127.0.0.1", "::1"]);
  return fail("net.lookup_ip_addr", `DNS lookups are not available in this runtime: ${host}`);
}

const pair = (
  name: string,
  test: (a: Cidr, b: Cidr) => boolean,
  second: typeof cidrOrIp,
  extra?: typeof DEPRECATED,
) =>
  def(
    name,
    [STR, STR],
    BOOL,
    (args) => test(cidrOperand(name, str(name, args, 0)), second(name, str(name, args, 1))),
    extra,
  );

const containsDef = (name: string, extra?: typeof DEPRECATED) =>
  def(
    name,
    [STR, STR],
    BOOL,
    (args) => containsText(name, str(name, args, 0), str(name, args, 1)),
    extra,
  );

export const netBuiltins: BuiltinTable = [
  containsDef("net.cidr_contains"),
  containsDef("net.cidr_overlap", DEPRECATED),
  pair("net.cidr_intersects", intersects, cidrOperand),
  def(
    "net.cidr_is_valid",
    [ANY],
    BOOL,
    ([v]) => typeof v === "string" && parseCidr(v) !== undefined,
  ),
  def("net.cidr_expand", [STR], { set: STR }, expand),
  def("net.cidr_merge", [ANY], { set: STR }, merge),
  def("net.cidr_contains_matches", [ANY, ANY], { set: ANY }, containsMatches),
  def("net.lookup_ip_addr", [STR], { set: STR }, lookup, { nondeterministic: true }),
];
