/** Go's time.Parse over reference-time layouts; zone-less values are UTC. */
import { BuiltinError } from "../errors.ts";
import { daysFromCivil, fixedZone, fromCivil, UTC, type Zone } from "./time-civil.ts";
import { tokenize } from "./time-layout.ts";

const MONTHS =
  "January February March April May June July August September October November December".split(
    " ",
  );
const DAYS = "Sunday Monday Tuesday Wednesday Thursday Friday Saturday".split(" ");

class ParseFail extends Error {}

function daysIn(year: number, month: number): number {
  return (
    daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) -
    daysFromCivil(year, month, 1)
  );
}

/** Nanoseconds since the epoch of `value` read with `layout`. */
export function parseTime(layout: string, value: string): bigint {
  let rest = value;
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm: boolean | undefined;
  let zone: Zone | undefined;
  const fail = (what: string): never => {
    throw new ParseFail(
      `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(what)}`,
    );
  };
  const num = (tok: string, min: number, max: number): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(rest);
    if (!m) fail(tok);
    rest = rest.slice(m![0].length);
    return Number(m![0]);
  };
  const name = (tok: string, names: string[], short: boolean): number => {
    for (let i = 0; i < names.length; i++) {
      const n = short ? names[i]!.slice(0, 3) : names[i]!;
      if (rest.slice(0, n.length).toLowerCase() === n.toLowerCase()) {
        rest = rest.slice(n.length);
        return i;
      }
    }
    return fail(tok);
  };
  const fraction = () => {
    const m = /^[.,](\d+)/.exec(rest);
    if (!m) return;
    nanos = Number(m[1]!.slice(0, 9).padEnd(9, "0"));
    rest = rest.slice(m[0].length);
  };
  try {
    const chunks = tokenize(layout);
    for (let ci = 0; ci < chunks.length; ci++) {
      const ch = chunks[ci]!;
      if ("lit" in ch) {
        if (!rest.startsWith(ch.lit)) fail(ch.lit);
        rest = rest.slice(ch.lit.length);
        continue;
      }
      const t = ch.tok;
      switch (t) {
        case "2006":
          year = num(t, 4, 4);
          break;
        case "06": {
          const y = num(t, 2, 2);
          year = y >= 69 ? 1900 + y : 2000 + y;
          break;
        }
        case "January":
        case "Jan":
          month = name(t, MONTHS, t === "Jan") + 1;
          break;
        case "Monday":
        case "Mon":
          name(t, DAYS, t === "Mon");
          break;
        case "01":
          month = num(t, 2, 2);
          break;
        case "1":
          month = num(t, 1, 2);
          break;
        case "02":
          day = num(t, 2, 2);
          break;
        case "_2":
          if (rest.startsWith(" ")) rest = rest.slice(1);
          day = num(t, 1, 2);
          break;
        case "2":
          day = num(t, 1, 2);
          break;
        case "002":
        case "__2":
          num(t, 3, 3);
          break;
        case "15":
          hour = num(t, 1, 2);
          break;
        case "03":
          hour = num(t, 2, 2);
          break;
        case "3":
          hour = num(t, 1, 2);
          break;
        case "04":
          minute = num(t, 2, 2);
          break;
        case "4":
          minute = num(t, 1, 2);
          break;
        case "05":
        case "5": {
          second = num(t, t === "05" ? 2 : 1, 2);
          const next = chunks[ci + 1];
          if (!(next && "tok" in next && /^[.,]/.test(next.tok))) fraction();
          break;
        }
        case "PM":
        case "pm": {
          const ap = rest.slice(0, 2).toUpperCase();
          if (ap !== "AM" && ap !== "PM") fail(t);
          pm = ap === "PM";
          rest = rest.slice(2);
          break;
        }
        case "MST": {
          const m = /^(UTC|GMT([+-]\d{1,2})?|[A-Z]{3,5})/.exec(rest);
          if (!m) fail(t);
          rest = rest.slice(m![0].length);
          zone = m![2] ? fixedZone(Number(m![2]) * 3600, m![0]) : fixedZone(0, m![0]);
          break;
        }
        default:
          if (t[0] === "." || t[0] === ",") {
            const m = /^[.,](\d+)/.exec(rest);
            if (!m || (t[1] === "0" && m[1]!.length !== t.length - 1)) fail(t);
            nanos = Number(m![1]!.slice(0, 9).padEnd(9, "0"));
            rest = rest.slice(m![0].length);
          } else zone = offset(t);
      }
    }
    if (rest !== "") {
      throw new ParseFail(
        `parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(rest)}`,
      );
    }
  } catch (e) {
    if (e instanceof ParseFail) throw new BuiltinError(e.message);
    throw e;
  }
  if (pm !== undefined) {
    if (hour > 12)
      throw new BuiltinError(`parsing time ${JSON.stringify(value)}: hour out of range`);
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (month < 1 || month > 12)
    throw new BuiltinError(`parsing time ${JSON.stringify(value)}: month out of range`);
  if (day < 1 || day > daysIn(year, month))
    throw new BuiltinError(`parsing time ${JSON.stringify(value)}: day out of range`);
  if (hour > 23 || minute > 59 || second > 59) {
    throw new BuiltinError(
      `parsing time ${JSON.stringify(value)}: hour, minute or second out of range`,
    );
  }
  return fromCivil(year, month, day, hour, minute, second, nanos, zone ?? UTC);

  function offset(t: string): Zone {
    if (t.startsWith("Z") && rest.startsWith("Z")) {
      rest = rest.slice(1);
      return UTC;
    }
    const shape = t.replace(/^Z/, "-").replace(/^-/, "[+-]").replace(/\d/g, "\\d");
    const m = new RegExp(`^${shape}`).exec(rest);
    if (!m) return fail(t);
    const d = m[0].replace(/:/g, "");
    rest = rest.slice(m[0].length);
    const sign = d[0] === "-" ? -1 : 1;
    const secs =
      Number(d.slice(1, 3)) * 3600 + Number(d.slice(3, 5) || 0) * 60 + Number(d.slice(5, 7) || 0);
    return fixedZone(sign * secs);
  }
}
