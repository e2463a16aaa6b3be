/** Go reference-time layouts ("2006-01-02T15:04:05Z07:00"): formatting and parsing. */
import type { Civil } from "./time-civil.ts";

export const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: "Mon Jan _2 15:04:05 2006",
  UnixDate: "Mon Jan _2 15:04:05 MST 2006",
  RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
  RFC822: "02 Jan 06 15:04 MST",
  RFC822Z: "02 Jan 06 15:04 -0700",
  RFC850: "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
  RFC3339: "2006-01-02T15:04:05Z07:00",
  RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
  Kitchen: "3:04PM",
  Stamp: "Jan _2 15:04:05",
  StampMilli: "Jan _2 15:04:05.000",
  StampMicro: "Jan _2 15:04:05.000000",
  StampNano: "Jan _2 15:04:05.000000000",
  DateTime: "2006-01-02 15:04:05",
  DateOnly: "2006-01-02",
  TimeOnly: "15:04:05",
};

const MONTHS =
  "January February March April May June July August September October November December".split(
    " ",
  );
const DAYS = "Sunday Monday Tuesday Wednesday Thursday Friday Saturday".split(" ");

const TOKENS = [
  "January",
  "Jan",
  "Monday",
  "Mon",
  "MST",
  "2006",
  "_2006",
  "__2",
  "002",
  "-07:00:00",
  "-070000",
  "-07:00",
  "-0700",
  "-07",
  "Z07:00:00",
  "Z070000",
  "Z07:00",
  "Z0700",
  "Z07",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "_2",
  "15",
  "PM",
  "pm",
  "1",
  "2",
  "3",
  "4",
  "5",
];

type Chunk = { lit: string } | { tok: string };

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

export function tokenize(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let lit = "";
  let i = 0;
  while (i < layout.length) {
    const c = layout[i]!;
    if ((c === "." || c === ",") && (layout[i + 1] === "0" || layout[i + 1] === "9")) {
      let j = i + 1;
      while (layout[j] === layout[i + 1]) j++;
      if (!isDigit(layout[j])) {
        if (lit) out.push({ lit });
        lit = "";
        out.push({ tok: layout.slice(i, j) });
        i = j;
        continue;
      }
    }
    const tok = TOKENS.find((t) => layout.startsWith(t, i));
    // "Jan"/"Mon" only when not followed by a lower-case letter (Go's rule for "Mon" vs "Month").
    if (tok && !((tok === "Jan" || tok === "Mon") && /[a-z]/.test(layout[i + 3] ?? ""))) {
      if (lit) out.push({ lit });
      lit = "";
      out.push({ tok });
      i += tok.length;
    } else {
      lit += c;
      i++;
    }
  }
  if (lit) out.push({ lit });
  return out;
}

const pad = (n: number, w: number, ch = "0") => String(n).padStart(w, ch);

function offsetText(off: number, tok: string): string {
  if (tok.startsWith("Z") && off === 0) return "Z";
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  const h = pad(Math.floor(a / 3600), 2);
  const m = pad(Math.floor((a % 3600) / 60), 2);
  const s = pad(a % 60, 2);
  const t = tok.replace(/^Z/, "-");
  switch (t) {
    case "-07":
      return `${sign}${h}`;
    case "-0700":
      return `${sign}${h}${m}`;
    case "-07:00":
      return `${sign}${h}:${m}`;
    case "-070000":
      return `${sign}${h}${m}${s}`;
    default:
      return `${sign}${h}:${m}:${s}`;
  }
}

export function formatTime(c: Civil, layout: string): string {
  let out = "";
  for (const ch of tokenize(layout)) {
    if ("lit" in ch) {
      out += ch.lit;
      continue;
    }
    const t = ch.tok;
    const h12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
    if (t[0] === "." || t[0] === ",") {
      const digits = pad(c.nanos, 9).slice(0, t.length - 1);
      if (t[1] === "0") out += t[0] + digits;
      else {
        const trimmed = digits.replace(/0+$/, "");
        if (trimmed) out += t[0] + trimmed;
      }
      continue;
    }
    switch (t) {
      case "2006":
        out += c.year < 0 ? `-${pad(-c.year, 4)}` : pad(c.year, 4);
        break;
      case "06":
        out += pad(((c.year % 100) + 100) % 100, 2);
        break;
      case "January":
        out += MONTHS[c.month - 1];
        break;
      case "Jan":
        out += MONTHS[c.month - 1]!.slice(0, 3);
        break;
      case "01":
        out += pad(c.month, 2);
        break;
      case "1":
        out += c.month;
        break;
      case "Monday":
        out += DAYS[c.weekday];
        break;
      case "Mon":
        out += DAYS[c.weekday]!.slice(0, 3);
        break;
      case "02":
        out += pad(c.day, 2);
        break;
      case "_2":
        out += pad(c.day, 2, " ");
        break;
      case "2":
        out += c.day;
        break;
      case "002":
        out += pad(c.yday, 3);
        break;
      case "__2":
        out += pad(c.yday, 3, " ");
        break;
      case "15":
        out += pad(c.hour, 2);
        break;
      case "03":
        out += pad(h12, 2);
        break;
      case "3":
        out += h12;
        break;
      case "04":
        out += pad(c.minute, 2);
        break;
      case "4":
        out += c.minute;
        break;
      case "05":
        out += pad(c.second, 2);
        break;
      case "5":
        out += c.second;
        break;
      case "PM":
        out += c.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += c.hour >= 12 ? "pm" : "am";
        break;
      case "MST":
        out += c.zone || offsetText(c.offset, "-0700");
        break;
      default:
        out += offsetText(c.offset, t);
    }
  }
  return out;
}
