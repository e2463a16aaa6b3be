import { describe, expect, it } from "vitest";
import { fromJSON, RObject, RSet } from "../value.ts";
import { goString } from "./encoding.ts";
import { call } from "./test-helpers.ts";

describe("encodings", () => {
  it("decodes invalid UTF-8 byte by byte as Go does", () => {
    expect(goString(Uint8Array.from([0x61, 0xf0, 0x9f, 0x98, 0x62]))).toBe("a\ufffd\ufffd\ufffdb");
    expect(goString(Uint8Array.from([0xf0, 0x9f, 0x98, 0x80]))).toBe("😀");
  });
  it("round-trips base64, hex and urlquery", () => {
    expect(call("base64.encode", "åäö")).toBe("w6XDpMO2");
    expect(call("base64.decode", "w6XDpMO2")).toBe("åäö");
    expect(call("base64.is_valid", "w6XDpMO")).toBe(false);
    expect(call("base64url.encode_no_pad", "??>")).toBe("Pz8-");
    expect(() => call("hex.decode", "6g")).toThrow("invalid byte: U+0067 'g'");
    expect(call("urlquery.encode", "a=b+1 c")).toBe("a%3Db%2B1+c");
    expect(
      call("urlquery.encode_object", RObject.fromRecord({ a: ["b+1", "c+2"], b: new RSet(["x"]) })),
    ).toBe("a=b%2B1&a=c%2B2&b=x");
  });
  it("marshals JSON as Go does, pretty or not", () => {
    expect(call("json.marshal", { b: "<", a: [1, 2] })).toBe('{"a":[1,2],"b":"\\u003c"}');
    const opts = fromJSON({ prefix: "> " });
    expect(call("json.marshal_with_options", { a: [1] }, opts)).toBe(
      '> {\n> \t"a": [\n> \t\t1\n> \t]\n> }',
    );
    expect(() => call("json.marshal_with_options", [], fromJSON({ bad: 1 }))).toThrow(
      'object contained unknown key "bad"',
    );
    expect(call("json.unmarshal", "[123456789012345678901]")).toEqual([123456789012345678901n]);
  });
  it("parses YAML 1.1 and reports libyaml-style errors", () => {
    expect(call("yaml.unmarshal", "a: yes\nb: 12345678901234567890")).toEqual(
      fromJSON({ a: true, b: 12345678901234567890n }),
    );
    expect(() => call("yaml.unmarshal", "[1,2,3")).toThrow("yaml: line 1: did not find expected");
    expect(call("yaml.unmarshal", "d: 2001-12-14")).toEqual(
      fromJSON({ d: "2001-12-14T00:00:00Z" }),
    );
    expect(call("yaml.marshal", RObject.fromRecord({ foo: new RSet([1, 2]) }))).toBe(
      "foo:\n- 1\n- 2\n",
    );
  });
});
