/** uuid.rfc4122 (random v4, stable per key within a query) and uuid.parse. */
import { RObject, type Value } from "../value.ts";
import { norm } from "./numeric.ts";
import type { BuiltinContext, BuiltinTable } from "./types.ts";
import { ANY, cached, def, OBJ, STR, str } from "./util.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

function rfc4122(args: readonly Value[], ctx: BuiltinContext): Value {
  const key = str("uuid.rfc4122", args, 0);
  return cached(ctx, `uuid.rfc4122\u0000${key}`, () => {
    const b = ctx.randomBytes(16);
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = hex(b);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  });
}

/** The 16 bytes of a UUID in any of the forms Go's uuid.Parse accepts. */
function uuidBytes(s: string): Uint8Array | undefined {
  let t = s;
  if (t.length === 45 && t.slice(0, 9).toLowerCase() === "urn:uuid:") t = t.slice(9);
  else if (t.length === 38 && t.startsWith("{") && t.endsWith("}")) t = t.slice(1, -1);
  if (t.length === 36) {
    if (t[8] !== "-" || t[13] !== "-" || t[18] !== "-" || t[23] !== "-") return undefined;
    t = t.replace(/-/g, "");
  }
  if (!/^[0-9a-fA-F]{32}$/.test(t)) return undefined;
  return Uint8Array.from({ length: 16 }, (_, i) => Number.parseInt(t.slice(2 * i, 2 * i + 2), 16));
}

function variant(b: number): string {
  if ((b & 0x80) === 0) return "Reserved";
  if ((b & 0xc0) === 0x80) return "RFC4122";
  if ((b & 0xe0) === 0xc0) return "Microsoft";
  return "Future";
}

/** Nanoseconds between 1582-10-15 (the UUID epoch) and 1970-01-01, in 100 ns units. */
const GREGORIAN_OFFSET = 122192928000000000n;

function parse(args: readonly Value[]): Value | undefined {
  const s = args[0];
  if (typeof s !== "string") return undefined;
  const b = uuidBytes(s);
  if (!b) return undefined;
  const version = b[6]! >> 4;
  const out = RObject.fromRecord({ version, variant: variant(b[8]!) });
  if (version === 1 || version === 2) {
    const u32 = (i: number) =>
      BigInt(((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!);
    const u16 = (i: number) => BigInt((b[i]! << 8) + b[i + 1]!);
    const ticks = u32(0) | (u16(4) << 32n) | ((u16(6) & 0xfffn) << 48n);
    out.set("time", norm((ticks - GREGORIAN_OFFSET) * 100n));
    out.set("clocksequence", ((b[8]! & 0x3f) << 8) | b[9]!);
    out.set("nodeid", [...b.slice(10)].map((x) => x.toString(16).padStart(2, "0")).join("-"));
    const local = (b[10]! & 0x02) !== 0 ? "local" : "global";
    const cast = (b[10]! & 0x01) !== 0 ? "multicast" : "unicast";
    out.set("macvariables", `${local}:${cast}`);
    if (version === 2) {
      out.set("domain", ["Person", "Group", "Org"][b[9]!] ?? `Domain${b[9]}`);
      out.set("id", Number(u32(0)));
    }
  }
  return out;
}

export const uuidBuiltins: BuiltinTable = [
  def("uuid.rfc4122", [STR], STR, rfc4122, { nondeterministic: true }),
  def("uuid.parse", [ANY], OBJ, parse),
];
