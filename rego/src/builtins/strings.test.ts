import { describe, expect, it } from "vitest";
import { fromJSON, RObject, RSet } from "../value.ts";
import { call } from "./test-helpers.ts";

describe("strings", () => {
  it("counts positions in code points", () => {
    expect(call("indexof", "🍧🍨🧁🍰🍮", "🍮")).toBe(4);
    expect(call("indexof_n", "😇😀😇😀😇😀", "😀")).toEqual([1, 3, 5]);
    expect(call("substring", "aåäö", 2, -1)).toBe("äö");
    expect(call("substring", "åäö", 4, -1)).toBe("");
    expect(call("strings.reverse", "1😀𝛾")).toBe("𝛾😀1");
    expect(call("strings.count", "dummy", "")).toBe(6);
    expect(call("strings.count", "11111", "11")).toBe(2);
  });
  it("trims cutsets of code points and Go whitespace", () => {
    expect(call("trim", "¡¡¡foo, bar!!!", "!¡")).toBe("foo, bar");
    expect(call("trim_space", " \t\n foo, bar \n\t\r\n")).toBe("foo, bar");
    expect(call("trim_space", "\ufefffoo")).toBe("\ufefffoo");
  });
  it("replaces with Go's Replacer priority", () => {
    const patterns = RObject.fromRecord({ foo: "xxx", f: "x" });
    expect(call("strings.replace_n", patterns, "foobar")).toBe("xoobar");
    expect(call("replace", "foo...bar", "..", ",,")).toBe("foo,,.bar");
  });
  it("formats integers and rejects bad bases", () => {
    expect(call("format_int", 15.5, 16)).toBe("f");
    expect(call("format_int", -8, 2)).toBe("-1000");
    expect(() => call("format_int", 4.1, 199)).toThrow("operand 2 must be one of {2, 8, 10, 16}");
  });
  it("maps case per code point like Go", () => {
    expect(call("upper", "straße")).toBe("STRAßE");
    expect(call("lower", "ÅÄÖ")).toBe("åäö");
  });
});

describe("sprintf", () => {
  const f = (fmt: string, ...args: unknown[]) => call("sprintf", fmt, args);
  it("renders Go verbs", () => {
    expect(f("hi %02d", 5)).toBe("hi 05");
    expect(f("hi %02X.%02X", 127, 1)).toBe("hi 7F.01");
    expect(f("%s", true)).toBe("true");
    expect(f("%v", ["there", 5, 3.14])).toBe('hi ["there", 5, 3.14]'.slice(3));
    expect(f("%.2f", 3.14149)).toBe("3.14");
    expect(f("%e", 1234.5677)).toBe("1.234568e+03");
    expect(f("%g", 0.00001234)).toBe("1.234e-05");
    expect(f("%v", 1234567.5)).toBe("1.2345675e+06");
    expect(f("%q", 'a"b')).toBe('"a\\"b"');
    expect(f("%T %T %T", 1, 1.5, "s")).toBe("int float64 string");
    expect(f("%-5s|%5s|", "ab", "cd")).toBe("ab   |   cd|");
    expect(f("%x", "hi")).toBe("6869");
    expect(f("%+d", 3)).toBe("+3");
  });
  it("reports mismatches like Go", () => {
    expect(f("%d", "x")).toBe("%!d(string=x)");
    expect(f("%s", 5)).toBe("%!s(int=5)");
    expect(f("%s %s", "a")).toBe("a %!s(MISSING)");
    expect(f("%s", "a", "b")).toBe("a%!(EXTRA string=b)");
  });
  it("prints big integers in full", () => {
    expect(call("sprintf", "%s", [123456789123456789123n])).toBe("123456789123456789123");
    expect(call("sprintf", "%d", [123456789123456789123n])).toBe("123456789123456789123");
  });
});

describe("template strings", () => {
  it("prints values as Rego text and strings bare", () => {
    const parts = [
      "a ",
      new RSet([fromJSON([42, 13.37, true, "foo", null])]),
      " ",
      new RSet([new RSet()]),
      " ",
      new RSet(),
      " ",
      new RSet(["x"]),
    ];
    expect(call("internal.template_string", parts)).toBe(
      'a [42, 13.37, true, "foo", null] set() <undefined> x',
    );
    expect(() => call("internal.template_string", [new RSet([1, 2])])).toThrow("multiple outputs");
  });
});
