/**
 * Civil time for the time.* builtins: nanoseconds since the epoch (bigint,
 * Go's int64 range) split into calendar fields in an IANA zone. Offsets come
 * from `Intl` (present in Node and workerd); calendar arithmetic is done
 * here, proleptic Gregorian, so every instant Go accepts works.
 */
import { BuiltinError } from "../errors.ts";

export const NS_PER_SEC = 1_000_000_000n;
export const MAX_NS = (1n << 63n) - 1n;
export const MIN_NS = -(1n << 63n);

export interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  /** 0 = Sunday. */
  weekday: number;
  yday: number;
  /** Seconds east of UTC. */
  offset: number;
  zone: string;
}

/** A zone: a name and a function from a UTC instant (seconds) to its offset. */
export interface Zone {
  name: string;
  offsetAt(sec: bigint): number;
  abbrev(sec: bigint): string;
}

export const UTC: Zone = { name: "UTC", offsetAt: () => 0, abbrev: () => "UTC" };

export function fixedZone(offset: number, name = ""): Zone {
  return { name, offsetAt: () => offset, abbrev: () => name };
}

const zones = new Map<string, Zone>();

/** An IANA zone by name ("" and "UTC" are UTC; "Local" is UTC in a Worker). */
export function loadZone(name: string): Zone {
  if (name === "" || name === "UTC" || name === "Local") return UTC;
  let z = zones.get(name);
  if (z) return z;
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
      timeZoneName: "short",
    });
  } catch {
    throw new BuiltinError(`unknown time zone ${name}`);
  }
  const parts = (sec: bigint) => {
    // Intl covers ±8.64e15 ms; clamp far instants to the edge (offsets are constant there).
    const ms = Number(sec) * 1000;
    const clamped = Math.max(-8.64e15, Math.min(8.64e15, ms));
    return fmt.formatToParts(new Date(clamped));
  };
  z = {
    name,
    offsetAt(sec) {
      const p = Object.fromEntries(parts(sec).map((x) => [x.type, x.value]));
      let year = Number(p.year);
      if (p.era === "BC" || p.era === "B") year = 1 - year;
      const local =
        daysFromCivil(year, Number(p.month), Number(p.day)) * 86400 +
        Number(p.hour) * 3600 +
        Number(p.minute) * 60 +
        Number(p.second);
      const ms = Math.max(-8.64e15, Math.min(8.64e15, Number(sec) * 1000));
      return local - Math.floor(ms / 1000);
    },
    abbrev(sec) {
      const ms = Math.max(-8.64e15, Math.min(8.64e15, Number(sec) * 1000));
      for (const locale of ABBREV_LOCALES) {
        const tz = abbrevFormat(name, locale)
          .formatToParts(new Date(ms))
          .find((x) => x.type === "timeZoneName")?.value;
        if (tz && /^[A-Z]{2,5}$/.test(tz)) return tz;
      }
      return formatOffsetAbbrev(this.offsetAt(sec));
    },
  };
  zones.set(name, z);
  return z;
}

/**
 * Each locale names the zones of its region ("IST", "CET", "AEDT", "JST");
 * tzdata abbreviations, which Go prints, are found in one of them.
 */
const ABBREV_LOCALES = ["en-US", "en-GB", "en-IN", "en-AU", "en-ZA", "ja-JP"];
const abbrevFormats = new Map<string, Intl.DateTimeFormat>();

function abbrevFormat(zone: string, locale: string): Intl.DateTimeFormat {
  const key = `${zone}\u0000${locale}`;
  let f = abbrevFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" });
    abbrevFormats.set(key, f);
  }
  return f;
}

function formatOffsetAbbrev(off: number): string {
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  const h = String(Math.floor(a / 3600)).padStart(2, "0");
  const m = Math.floor((a % 3600) / 60);
  return m === 0 ? `${sign}${h}` : `${sign}${h}${String(m).padStart(2, "0")}`;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/** Splits an instant into calendar fields in `zone`. */
export function toCivil(ns: bigint, zone: Zone): Civil {
  const sec = floorDiv(ns, NS_PER_SEC);
  const nanos = Number(ns - sec * NS_PER_SEC);
  const offset = zone.offsetAt(sec);
  const local = sec + BigInt(offset);
  const days = Number(floorDiv(local, 86400n));
  const rem = Number(local - BigInt(days) * 86400n);
  const [year, month, day] = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(rem / 3600),
    minute: Math.floor((rem % 3600) / 60),
    second: rem % 60,
    nanos,
    weekday: (((days + 4) % 7) + 7) % 7,
    yday: days - daysFromCivil(year, 1, 1) + 1,
    offset,
    zone: zone.abbrev(sec),
  };
}

/**
 * The instant of a wall-clock time in `zone` (fields may overflow, as Go's
 * time.Date normalises them).
 */
export function fromCivil(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  nanos: number,
  zone: Zone,
): bigint {
  const yy = y + Math.floor((mo - 1) / 12);
  const mm = ((((mo - 1) % 12) + 12) % 12) + 1;
  const days = daysFromCivil(yy, mm, 1) + d - 1;
  const local = BigInt(days) * 86400n + BigInt(h * 3600 + mi * 60 + s);
  // Two passes find the offset in force at that local time.
  let off = zone.offsetAt(local);
  off = zone.offsetAt(local - BigInt(off));
  return (local - BigInt(off)) * NS_PER_SEC + BigInt(nanos);
}

export function inRange(ns: bigint): boolean {
  return ns >= MIN_NS && ns <= MAX_NS;
}
