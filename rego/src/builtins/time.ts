/** time.* builtins: nanoseconds since the epoch, IANA zones, Go layouts and durations. */
import { OperandTypeError } from "../errors.ts";
import { typeName, type Value } from "../value.ts";
import { norm } from "./numeric.ts";
import { type Civil, fromCivil, inRange, loadZone, toCivil, UTC, type Zone } from "./time-civil.ts";
import { formatTime, NAMED_LAYOUTS } from "./time-layout.ts";
import { parseTime } from "./time-parse.ts";
import type { BuiltinTable, TypeSpec } from "./types.ts";
import { ANY, def, fail, int, NUM, STR, str } from "./util.ts";

const DAYS = "Sunday Monday Tuesday Wednesday Thursday Friday Saturday".split(" ");

const INSTANT_SHAPE = "either number (ns) or [number (ns), string (tz)]";

/** An int64 nanosecond count; fractions and out-of-range values are "timestamp too big", as in OPA. */
function nsOf(name: string, v: Value, pos: number): bigint {
  if (typeof v === "bigint") {
    if (!inRange(v)) fail(name, "timestamp too big");
    return v;
  }
  if (typeof v !== "number") {
    throw new OperandTypeError(`${name}: operand ${pos} must be number but got ${typeName(v)}`);
  }
  if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 63) fail(name, "timestamp too big");
  return BigInt(v);
}

/** `ns` or `[ns, zone]` or `[ns, zone, layout]` (OPA's tzTime). */
function instant(name: string, args: readonly Value[]): [bigint, Zone, string | undefined] {
  const v = args[0] as Value;
  if (typeof v === "number" || typeof v === "bigint") return [nsOf(name, v, 1), UTC, undefined];
  if (!Array.isArray(v) || v.length === 0) {
    throw new OperandTypeError(
      `${name}: operand 1 must be ${INSTANT_SHAPE} but got ${typeName(v)}`,
    );
  }
  const items = v as readonly Value[];
  const ns = nsOf(name, items[0]!, 1);
  const tz = items[1] ?? "";
  if (typeof tz !== "string") {
    throw new OperandTypeError(`${name}: operand 1 must be string but got ${typeName(tz)}`);
  }
  const layout = items[2];
  if (layout !== undefined && typeof layout !== "string") {
    throw new OperandTypeError(`${name}: operand 1 must be string but got ${typeName(layout)}`);
  }
  let zone: Zone;
  try {
    zone = loadZone(tz);
  } catch (e) {
    return fail(name, (e as Error).message);
  }
  return [ns, zone, layout];
}

const civil = (name: string, args: readonly Value[]): Civil => {
  const [ns, zone] = instant(name, args);
  return toCivil(ns, zone);
};

function checked(name: string, ns: bigint): Value {
  if (!inRange(ns)) fail(name, "time outside of valid range");
  return norm(ns);
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's time.ParseDuration, exactly, in nanoseconds. */
export function parseDuration(s: string): bigint {
  const bad = () => fail("time.parse_duration_ns", `time: invalid duration ${JSON.stringify(s)}`);
  let rest = s;
  let sign = 1n;
  if (rest[0] === "-" || rest[0] === "+") {
    sign = rest[0] === "-" ? -1n : 1n;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") bad();
  let total = 0n;
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?([^\d.]*)/.exec(rest)!;
    const [all, whole = "", frac, unit = ""] = m;
    if (whole === "" && (frac === undefined || frac === "")) bad();
    if (unit === "")
      fail("time.parse_duration_ns", `time: missing unit in duration ${JSON.stringify(s)}`);
    const mult = UNITS[unit];
    if (mult === undefined) {
      fail(
        "time.parse_duration_ns",
        `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(s)}`,
      );
    }
    total += BigInt(whole || "0") * mult;
    if (frac) total += (BigInt(frac) * mult) / 10n ** BigInt(frac.length);
    if (total > 1n << 63n) bad();
    rest = rest.slice(all.length);
  }
  const out = sign * total;
  if (!inRange(out)) bad();
  return out;
}

function diff(args: readonly Value[]): Value {
  const [a, za] = instant("time.diff", [args[0] as Value]);
  const [b] = instant("time.diff", [args[1] as Value]);
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const t1 = toCivil(lo, za);
  const t2 = toCivil(hi, za);
  let year = t2.year - t1.year;
  let month = t2.month - t1.month;
  let day = t2.day - t1.day;
  let hour = t2.hour - t1.hour;
  let minute = t2.minute - t1.minute;
  let second = t2.second - t1.second;
  if (second < 0) [second, minute] = [second + 60, minute - 1];
  if (minute < 0) [minute, hour] = [minute + 60, hour - 1];
  if (hour < 0) [hour, day] = [hour + 24, day - 1];
  if (day < 0) {
    // Days in t1's month: the 32nd rolls over into the next month.
    const rolled = toCivil(fromCivil(t1.year, t1.month, 32, 0, 0, 0, 0, UTC), UTC);
    day += 32 - rolled.day;
    month--;
  }
  if (month < 0) [month, year] = [month + 12, year - 1];
  return [year, month, day, hour, minute, second];
}

const INSTANT: TypeSpec = { oneOf: [NUM, { array: ANY }] };

export const timeBuiltins: BuiltinTable = [
  def("time.now_ns", [], NUM, (_args, ctx) => norm(ctx.nowNs), { nondeterministic: true }),
  def("time.parse_ns", [STR, STR], NUM, (args) => {
    const layout = str("time.parse_ns", args, 0);
    return checked(
      "time.parse_ns",
      parseTime(NAMED_LAYOUTS[layout] ?? layout, str("time.parse_ns", args, 1)),
    );
  }),
  def("time.parse_rfc3339_ns", [STR], NUM, (args) =>
    checked(
      "time.parse_rfc3339_ns",
      parseTime(NAMED_LAYOUTS.RFC3339!, str("time.parse_rfc3339_ns", args, 0)),
    ),
  ),
  def("time.parse_duration_ns", [STR], NUM, (args) =>
    norm(parseDuration(str("time.parse_duration_ns", args, 0))),
  ),
  def("time.date", [INSTANT], { array: NUM }, (args) => {
    const c = civil("time.date", args);
    return [c.year, c.month, c.day];
  }),
  def("time.clock", [INSTANT], { array: NUM }, (args) => {
    const c = civil("time.clock", args);
    return [c.hour, c.minute, c.second];
  }),
  def("time.weekday", [INSTANT], STR, (args) => DAYS[civil("time.weekday", args).weekday]!),
  def("time.add_date", [INSTANT, NUM, NUM, NUM], NUM, (args) => {
    const name = "time.add_date";
    const [t, zone] = instant(name, args);
    const c = toCivil(t, zone);
    const [y, m, d] = [1, 2, 3].map((i) => Number(int(name, args, i))) as [number, number, number];
    const ns = fromCivil(
      c.year + y,
      c.month + m,
      c.day + d,
      c.hour,
      c.minute,
      c.second,
      c.nanos,
      zone,
    );
    return checked(name, ns);
  }),
  def("time.diff", [INSTANT, INSTANT], { array: NUM }, diff),
  def("time.format", [INSTANT], STR, (args) => {
    const [ns, zone, layout] = instant("time.format", args);
    const l = layout === undefined ? NAMED_LAYOUTS.RFC3339Nano! : (NAMED_LAYOUTS[layout] ?? layout);
    return formatTime(toCivil(ns, zone), l);
  }),
];
