/** base64, base64url, hex and urlquery builtins, with Go's error texts. */
import { OperandTypeError } from "../errors.ts";
import { RObject, RSet, type Value } from "../value.ts";
import {
  base64DecodeStrict,
  base64Encode,
  base64UrlDecode,
  base64UrlEncode,
  base64UrlEncodeNoPad,
} from "./crypto/bytes.ts";
import type { BuiltinTable } from "./types.ts";
import { ANY, BOOL, def, fail, OBJ, obj, STR, str, utf8 } from "./util.ts";

/**
 * Bytes to a string the way Go iterates a string: every byte that does not
 * start a valid UTF-8 sequence becomes one U+FFFD.
 */
export function goString(b: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    let cp = 0;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) [n, cp] = [1, c & 0x1f];
    else if (c >= 0xe0 && c <= 0xef) [n, cp] = [2, c & 0x0f];
    else if (c >= 0xf0 && c <= 0xf4) [n, cp] = [3, c & 0x07];
    let ok = n > 0 && i + n < b.length;
    for (let k = 1; ok && k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (x & 0x3f);
    }
    const min = [0, 0x80, 0x800, 0x10000][n]!;
    if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
      out += String.fromCodePoint(cp);
      i += n + 1;
    } else {
      out += "\ufffd";
      i++;
    }
  }
  return out;
}

/** Go's hex.DecodeString over the UTF-8 bytes, with its InvalidByteError text. */
function hexDecode(s: string): string {
  const b = utf8(s);
  const val = (c: number) =>
    c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
  const invalid = (c: number): never => {
    const printable = c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c < 0xa0) && c !== 0xad;
    const shown = printable ? ` '${String.fromCharCode(c)}'` : "";
    return fail(
      "hex.decode",
      `encoding/hex: invalid byte: U+${c.toString(16).toUpperCase().padStart(4, "0")}${shown}`,
    );
  };
  const out: number[] = [];
  let j = 1;
  for (; j < b.length; j += 2) {
    const hi = val(b[j - 1]!);
    const lo = val(b[j]!);
    if (hi < 0) invalid(b[j - 1]!);
    if (lo < 0) invalid(b[j]!);
    out.push((hi << 4) | lo);
  }
  if (b.length % 2 === 1) {
    if (val(b[j - 1]!) < 0) invalid(b[j - 1]!);
    fail("hex.decode", "encoding/hex: odd length hex string");
  }
  return goString(Uint8Array.from(out));
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  let out = "";
  for (const b of utf8(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Go's url.QueryUnescape. */
function queryUnescape(name: string, s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%") {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        const bad = s.slice(i, i + 3);
        fail(name, `invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(Number.parseInt(h, 16));
      i += 2;
    } else if (c === "+") bytes.push(32);
    else for (const b of utf8(c)) bytes.push(b);
  }
  return goString(Uint8Array.from(bytes));
}

function encodeObject(args: readonly Value[]): string {
  const o = obj("urlquery.encode_object", args, 0);
  const parts: string[] = [];
  for (const [k, v] of o.sortedEntries()) {
    const bad = () =>
      new OperandTypeError(
        "urlquery.encode_object: operand 1 values must be string, array[string], or set[string]",
      );
    if (typeof k !== "string") throw bad();
    const values =
      typeof v === "string"
        ? [v]
        : Array.isArray(v)
          ? v
          : v instanceof RSet
            ? v.sorted()
            : undefined;
    if (!values) throw bad();
    for (const x of values as readonly Value[]) {
      if (typeof x !== "string") throw bad();
      parts.push(`${queryEscape(k)}=${queryEscape(x)}`);
    }
  }
  return parts.join("&");
}

/** Go's url.ParseQuery: `&`-separated pairs, later values appended. */
function decodeObject(args: readonly Value[]): Value {
  const s = str("urlquery.decode_object", args, 0);
  const acc = new Map<string, string[]>();
  for (const part of s.split("&")) {
    if (part === "") continue;
    if (part.includes(";")) fail("urlquery.decode_object", "invalid semicolon separator in query");
    const eq = part.indexOf("=");
    const k = queryUnescape("urlquery.decode_object", eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? "" : queryUnescape("urlquery.decode_object", part.slice(eq + 1));
    acc.set(k, [...(acc.get(k) ?? []), v]);
  }
  return new RObject([...acc.entries()].map(([k, vs]) => [k, vs] as const));
}

const bytesOf = (name: string, args: readonly Value[]) => utf8(str(name, args, 0));

export const encodingBuiltins: BuiltinTable = [
  def("base64.encode", [STR], STR, (args) => base64Encode(bytesOf("base64.encode", args))),
  def("base64.decode", [STR], STR, (args) =>
    goString(base64DecodeStrict(str("base64.decode", args, 0), "std")),
  ),
  def("base64.is_valid", [ANY], BOOL, ([v]) => {
    if (typeof v !== "string") return false;
    try {
      base64DecodeStrict(v, "std");
      return true;
    } catch {
      return false;
    }
  }),
  def("base64url.encode", [STR], STR, (args) => base64UrlEncode(bytesOf("base64url.encode", args))),
  def("base64url.encode_no_pad", [STR], STR, (args) =>
    base64UrlEncodeNoPad(bytesOf("base64url.encode_no_pad", args)),
  ),
  def("base64url.decode", [STR], STR, (args) =>
    goString(base64UrlDecode(str("base64url.decode", args, 0))),
  ),
  def("hex.encode", [STR], STR, (args) =>
    [...bytesOf("hex.encode", args)].map((b) => b.toString(16).padStart(2, "0")).join(""),
  ),
  def("hex.decode", [STR], STR, (args) => hexDecode(str("hex.decode", args, 0))),
  def("urlquery.encode", [STR], STR, (args) => queryEscape(str("urlquery.encode", args, 0))),
  def("urlquery.decode", [STR], STR, (args) =>
    queryUnescape("urlquery.decode", str("urlquery.decode", args, 0)),
  ),
  def("urlquery.encode_object", [OBJ], STR, encodeObject),
  def("urlquery.decode_object", [STR], OBJ, decodeObject),
];
