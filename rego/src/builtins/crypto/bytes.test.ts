import { describe, expect, it } from "vitest";
import { fromJSON, RSet } from "../../value.ts";
import { pemDecode, pemDecodeAll } from "./asn1.ts";
import {
  base64DecodeStrict,
  base64Encode,
  base64UrlDecode,
  base64UrlEncodeNoPad,
  fromUtf8,
  goJSON,
  utf8,
} from "./bytes.ts";
import { parseJson } from "./json.ts";

describe("base64 as Go decodes it", () => {
  it("round-trips both alphabets", () => {
    const b = Uint8Array.from([0xfb, 0xff, 0x01, 0x02]);
    expect(base64Encode(b)).toBe("+/8BAg==");
    expect(base64UrlEncodeNoPad(b)).toBe("-_8BAg");
    expect([...base64DecodeStrict("+/8BAg==", "std")]).toEqual([...b]);
    expect([...base64UrlDecode("-_8BAg")]).toEqual([...b]);
  });

  it("reports the offending byte as Go does", () => {
    expect(() => base64DecodeStrict("foobar", "std")).toThrow(
      "illegal base64 data at input byte 4",
    );
    expect(() => base64DecodeStrict("ab^d", "std")).toThrow("illegal base64 data at input byte 2");
    expect(() => base64DecodeStrict("a===", "std")).toThrow("illegal base64 data at input byte 1");
    expect(() => base64DecodeStrict("ab=c", "std")).toThrow("illegal base64 data at input byte 2");
    expect(() => base64UrlDecode("abcde")).toThrow("illegal base64url string: abcde");
  });

  it("skips line breaks", () => {
    expect(fromUtf8(base64DecodeStrict("aGVs\r\nbG8=", "std"))).toBe("hello");
  });
});

describe("Go JSON text", () => {
  it("sorts keys, writes sets as arrays and escapes HTML", () => {
    const v = fromJSON({ b: 1, a: ["<&>"], c: 1.5 });
    expect(goJSON(v)).toBe('{"a":["\\u003c\\u0026\\u003e"],"b":1,"c":1.5}');
    expect(goJSON(new RSet(["y", "x"]))).toBe('["x","y"]');
    expect(goJSON(12345678901234567890n)).toBe("12345678901234567890");
    // Keys in code point (UTF-8 byte) order, not UTF-16 order.
    expect(goJSON(fromJSON({ "\u{1F600}": 1, "\uFF01": 2 }))).toBe('{"\uFF01":2,"\u{1F600}":1}');
  });

  it("parses JSON with exact big integers and last-wins keys", () => {
    expect(parseJson("12345678901234567890")).toBe(12345678901234567890n);
    expect(goJSON(parseJson('{"a":1,"a":2}'))).toBe('{"a":2}');
    expect(() => parseJson("{")).toThrow("unexpected end of JSON input");
    expect(() => parseJson("")).toThrow("unexpected end of JSON input");
    expect(() => parseJson("[1 2]")).toThrow("invalid character '2' after array element");
    expect(() => parseJson("x")).toThrow("invalid character 'x' looking for beginning of value");
  });
});

describe("PEM", () => {
  const block = `-----BEGIN THING-----\n${base64Encode(utf8("hi"))}\n-----END THING-----\n`;

  it("decodes blocks and returns the rest", () => {
    const r = pemDecode(`junk\n${block}tail`);
    expect(r?.[0].type).toBe("THING");
    expect(fromUtf8(r![0].bytes)).toBe("hi");
    expect(r?.[1]).toBe("tail");
    expect(pemDecodeAll(block + block).length).toBe(2);
    expect(pemDecode("no pem here")).toBeUndefined();
  });
});
