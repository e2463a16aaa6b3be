/**
 * Byte helpers shared by the crypto, JWT, X.509 and AWS builtins: UTF-8,
 * hex, base64 (standard and URL alphabets, with Go's error texts), and JSON
 * text as Go's `encoding/json` writes it.
 */
import { BuiltinError, OperandTypeError } from "../../errors.ts";
import { compare, RObject, RSet, typeName, type Value } from "../../value.ts";

const encoder = new TextEncoder();
// Non-fatal is the default: invalid bytes decode to U+FFFD, as Go strings print them.
const decoder = new TextDecoder("utf-8");

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Bytes to a string; invalid UTF-8 becomes U+FFFD, as Go does when printing. */
export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}

export function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new BuiltinError("invalid hex string");
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function encode(b: Uint8Array, alphabet: string, pad: boolean): string {
  let s = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s +=
      alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const n = b[i]! << 16;
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? "==" : "");
  } else if (rest === 2) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    s +=
      alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? "=" : "");
  }
  return s;
}

export const base64Encode = (b: Uint8Array): string => encode(b, STD, true);
export const base64UrlEncode = (b: Uint8Array): string => encode(b, URL, true);
export const base64UrlEncodeNoPad = (b: Uint8Array): string => encode(b, URL, false);

/**
 * Decode base64 like Go's `base64.Encoding.DecodeString` (padded, not
 * strict): errors read `illegal base64 data at input byte N`, N counting
 * UTF-8 bytes; `\r` and `\n` are skipped.
 */
export function base64DecodeStrict(text: string, alphabet: "std" | "url"): Uint8Array {
  const abc = alphabet === "std" ? STD : URL;
  const src = utf8(text);
  const out: number[] = [];
  const bad = (i: number) => new BuiltinError(`illegal base64 data at input byte ${i}`);
  const isNl = (c: number | undefined) => c === 10 || c === 13;
  let si = 0;
  while (si < src.length) {
    const buf = [0, 0, 0, 0];
    let dlen = 4;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Uint8Array.from(out);
        throw bad(si - j);
      }
      const c = src[si++]!;
      const v = c < 128 ? abc.indexOf(String.fromCharCode(c)) : -1;
      if (v >= 0) {
        buf[j] = v;
        continue;
      }
      if (isNl(c)) {
        j--;
        continue;
      }
      if (c !== 61 || j < 2) throw bad(si - 1);
      if (j === 2) {
        while (si < src.length && isNl(src[si])) si++;
        if (si === src.length) throw bad(src.length);
        if (src[si] !== 61) throw bad(si - 1);
        si++;
      }
      while (si < src.length && isNl(src[si])) si++;
      if (si < src.length) throw bad(si);
      dlen = j;
      break;
    }
    const n = (buf[0]! << 18) | (buf[1]! << 12) | (buf[2]! << 6) | buf[3]!;
    out.push((n >> 16) & 255);
    if (dlen > 2) out.push((n >> 8) & 255);
    if (dlen > 3) out.push(n & 255);
    if (dlen < 4) break;
  }
  return Uint8Array.from(out);
}

/** OPA's `base64url.decode`: missing padding is added (RFC 7515 appendix C). */
export function base64UrlDecode(s: string): Uint8Array {
  let t = s;
  if (!t.endsWith("=")) {
    const rem = utf8(t).length % 4;
    if (rem === 1) throw new BuiltinError(`illegal base64url string: ${s}`);
    if (rem > 1) t += "=".repeat(4 - rem);
  }
  return base64DecodeStrict(t, "url");
}

/** Lenient decode of a JWK member (base64url, padding optional). */
export function b64uField(s: string): Uint8Array {
  return base64UrlDecode(s.replace(/=+$/, ""));
}

// ---- operand helpers ---------------------------------------------------

export function stringOperand(args: readonly Value[], i: number): string {
  const v = args[i]!;
  if (typeof v !== "string") {
    throw new OperandTypeError(`operand ${i + 1} must be string but got ${typeName(v)}`);
  }
  return v;
}

export function objectOperand(args: readonly Value[], i: number): RObject {
  const v = args[i]!;
  if (!(v instanceof RObject)) {
    throw new OperandTypeError(`operand ${i + 1} must be object but got ${typeName(v)}`);
  }
  return v;
}

// ---- Go-style JSON -----------------------------------------------------

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}

function goNumber(n: number | bigint): string {
  if (typeof n === "bigint") return n.toString();
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(n);
}

/** JSON text as Go's `json.Marshal` of OPA's JSON form: sorted keys, no spaces, HTML escaped. */
export function goJSON(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
    case "bigint":
      return goNumber(v);
    case "string":
      return goQuote(v);
  }
  if (v instanceof RSet) return `[${v.sorted().map(goJSON).join(",")}]`;
  if (v instanceof RObject) {
    const items = [...v.entries()].map(
      ([k, x]) => [typeof k === "string" ? k : goJSON(k), goJSON(x)] as const,
    );
    // Go sorts keys by their UTF-8 bytes, which is code point order.
    items.sort((a, b) => compare(a[0], b[0]));
    return `{${items.map(([k, x]) => `${goQuote(k)}:${x}`).join(",")}}`;
  }
  return `[${(v as readonly Value[]).map(goJSON).join(",")}]`;
}
