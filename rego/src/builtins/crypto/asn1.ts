/**
 * A small DER reader (enough for X.509 certificates, CSRs, PKCS#1/#8/SEC1
 * keys) and PEM decoding with the semantics of Go's `encoding/pem.Decode`.
 */
import { base64DecodeStrict } from "./bytes.ts";

export class Asn1Error extends Error {}

export interface Node {
  /** Class bits (0 universal, 1 application, 2 context, 3 private). */
  readonly cls: number;
  readonly constructed: boolean;
  readonly tag: number;
  /** The whole element (header and content). */
  readonly raw: Uint8Array;
  readonly content: Uint8Array;
}

export const TAG = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8: 12,
  SEQUENCE: 16,
  SET: 17,
  PRINTABLE: 19,
  T61: 20,
  IA5: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  BMP: 30,
} as const;

/** Read one element at `offset`; returns it and the offset after it. */
export function readNode(buf: Uint8Array, offset = 0): [Node, number] {
  let p = offset;
  if (p >= buf.length) throw new Asn1Error("asn1: syntax error: truncated tag");
  const b0 = buf[p++]!;
  const cls = b0 >> 6;
  const constructed = (b0 & 0x20) !== 0;
  let tag = b0 & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (;;) {
      if (p >= buf.length) throw new Asn1Error("asn1: syntax error: truncated tag");
      const b = buf[p++]!;
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= buf.length) throw new Asn1Error("asn1: syntax error: truncated length");
  let len = buf[p++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Asn1Error("asn1: syntax error: indefinite or long length");
    len = 0;
    for (let i = 0; i < n; i++) {
      if (p >= buf.length) throw new Asn1Error("asn1: syntax error: truncated length");
      len = len * 256 + buf[p++]!;
    }
  }
  if (p + len > buf.length) throw new Asn1Error("asn1: syntax error: data truncated");
  const node: Node = {
    cls,
    constructed,
    tag,
    raw: buf.subarray(offset, p + len),
    content: buf.subarray(p, p + len),
  };
  return [node, p + len];
}

/** Parse exactly one element filling the buffer. */
export function parseDer(buf: Uint8Array): Node {
  const [n, end] = readNode(buf, 0);
  if (end !== buf.length) throw new Asn1Error("x509: trailing data");
  return n;
}

export function children(n: Node): Node[] {
  const out: Node[] = [];
  let p = 0;
  while (p < n.content.length) {
    const [c, next] = readNode(n.content, p);
    out.push(c);
    p = next;
  }
  return out;
}

export function expect(n: Node | undefined, tag: number, what: string): Node {
  if (n?.cls !== 0 || n.tag !== tag) throw new Asn1Error(`asn1: structure error: ${what}`);
  return n;
}

export function seq(n: Node | undefined, what: string): Node[] {
  return children(expect(n, TAG.SEQUENCE, what));
}

export function bigintFrom(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

export function readInteger(n: Node | undefined, what = "integer"): bigint {
  const c = expect(n, TAG.INTEGER, what).content;
  if (c.length === 0) throw new Asn1Error("asn1: empty integer");
  let x = bigintFrom(c);
  if (c[0]! & 0x80) x -= 1n << BigInt(c.length * 8);
  return x;
}

export function readOid(n: Node | undefined): string {
  const c = expect(n, TAG.OID, "object identifier").content;
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < c.length; i++) {
    v = v * 128 + (c[i]! & 0x7f);
    if ((c[i]! & 0x80) === 0) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

/** BIT STRING content without the unused-bits byte. */
export function readBitString(n: Node | undefined): Uint8Array {
  const c = expect(n, TAG.BIT_STRING, "bit string").content;
  if (c.length === 0) throw new Asn1Error("asn1: empty bit string");
  return c.subarray(1);
}

export function integerToBytes(x: bigint, len?: number): Uint8Array {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const n = Math.max(len ?? 0, hex.length / 2);
  const out = new Uint8Array(n);
  const off = n - hex.length / 2;
  for (let i = 0; i < hex.length / 2; i++) {
    out[off + i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

// ---- DER writing (for signatures and small structures) ----------------

export function derLength(n: number): number[] {
  if (n < 128) return [n];
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 255);
  return [0x80 | bytes.length, ...bytes];
}

export function derElement(tag: number, content: Uint8Array): Uint8Array {
  const head = [tag, ...derLength(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head, 0);
  out.set(content, head.length);
  return out;
}

// ---- PEM ---------------------------------------------------------------

export interface PemBlock {
  type: string;
  headers: Record<string, string>;
  bytes: Uint8Array;
}

const BEGIN = "-----BEGIN ";
const END = "-----END ";

/**
 * Like Go's `pem.Decode`: the first well-formed block and the text after
 * it, or `undefined` when there is none.
 */
export function pemDecode(text: string): [PemBlock, string] | undefined {
  let rest = text;
  for (;;) {
    const at = rest.startsWith(BEGIN) ? 0 : rest.indexOf(`\n${BEGIN}`);
    if (at < 0) return undefined;
    const start = at === 0 && rest.startsWith(BEGIN) ? 0 : at + 1;
    const afterBegin = rest.slice(start + BEGIN.length);
    const lineEnd = afterBegin.indexOf("\n");
    const typeLine = (lineEnd < 0 ? afterBegin : afterBegin.slice(0, lineEnd)).replace(/\r$/, "");
    if (!typeLine.endsWith("-----")) {
      rest = afterBegin;
      continue;
    }
    const type = typeLine.slice(0, -5);
    const body = lineEnd < 0 ? "" : afterBegin.slice(lineEnd + 1);
    const endMarker = `${END}${type}-----`;
    const endAt = body.startsWith(endMarker) ? 0 : body.indexOf(`\n${endMarker}`);
    if (endAt < 0) {
      rest = afterBegin;
      continue;
    }
    const content = body.slice(0, endAt);
    const headers: Record<string, string> = {};
    let b64 = content;
    if (content.includes(":")) {
      const lines = content.split("\n");
      let i = 0;
      for (; i < lines.length; i++) {
        const l = lines[i]!.replace(/\r$/, "");
        const c = l.indexOf(":");
        if (c < 0) break;
        headers[l.slice(0, c).trim()] = l.slice(c + 1).trim();
      }
      b64 = lines.slice(i).join("\n");
    }
    const afterEnd = body.slice(endAt + (endAt === 0 ? 0 : 1) + endMarker.length);
    const nl = afterEnd.indexOf("\n");
    const trailing = nl < 0 ? afterEnd : afterEnd.slice(0, nl);
    if (trailing.trim() !== "") {
      rest = afterBegin;
      continue;
    }
    const remaining = nl < 0 ? "" : afterEnd.slice(nl + 1);
    let bytes: Uint8Array;
    try {
      bytes = base64DecodeStrict(b64.replace(/[ \t\r\n]/g, ""), "std");
    } catch {
      rest = afterBegin;
      continue;
    }
    return [{ type, headers, bytes }, remaining];
  }
}

/** All PEM blocks in a text, in order. */
export function pemDecodeAll(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  let rest = text;
  for (;;) {
    const r = pemDecode(rest);
    if (!r) return out;
    out.push(r[0]);
    rest = r[1];
  }
}
