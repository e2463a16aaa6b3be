import { describe, expect, it } from "vitest";
import { call } from "./test-helpers.ts";

describe("regex", () => {
  it("translates RE2 syntax", () => {
    expect(call("regex.match", "(?i)^abc$", "ABC")).toBe(true);
    expect(call("regex.match", "^[[:alpha:]]+[[:digit:]]$", "abc1")).toBe(true);
    expect(call("regex.match", "^\\pL+$", "åäö")).toBe(true);
    expect(call("regex.match", "^\\p{Greek}+$", "αβγ")).toBe(true);
    expect(call("regex.match", "\\Qa.b\\E", "axb")).toBe(false);
    expect(call("regex.match", "^\\Qa-b\\E$", "a-b")).toBe(true);
    expect(call("regex.match", "^a\\z", "a\n")).toBe(false);
    expect(call("regex.match", "^(?P<x>a)\\-b$", "a-b")).toBe(true);
    expect(call("regex.match", "a{", "a{")).toBe(true);
    expect(call("regex.match", "^.$", "😀")).toBe(true);
    expect(call("regex.match", "^[[:^alpha:]]+$", "123 !é")).toBe(true);
    expect(call("regex.match", "^[[:^alpha:]]+$", "12a")).toBe(false);
    expect(call("regex.match", "(?m)\\Aa$", "b\na")).toBe(false);
    expect(call("regex.is_valid", "++")).toBe(false);
    expect(call("regex.is_valid", 5)).toBe(false);
    expect(() => call("regex.match", "[", "x")).toThrow("error parsing regexp");
  });
  it("finds, splits and replaces as Go does", () => {
    expect(call("regex.find_n", "a.", "paranormal", 2)).toEqual(["ar", "an"]);
    expect(call("regex.find_all_string_submatch_n", "a(x*)b", "-ab-axb-", -1)).toEqual([
      ["ab", ""],
      ["axb", "x"],
    ]);
    expect(call("regex.find_n", "a*", "baaac", -1)).toEqual(["", "aaa", ""]);
    expect(call("regex.split", "^[a-z ]+$", "foobar baz")).toEqual(["", ""]);
    expect(call("regex.split", "a", "banana")).toEqual(["b", "n", "n", ""]);
    expect(call("regex.split", "x*", "abc")).toEqual(["a", "b", "c"]);
    expect(call("regex.replace", "foo", "(foo)", "$1$1")).toBe("foofoo");
    expect(call("regex.replace", "abc", "(?P<l>b)", "[$l]")).toBe("a[b]c");
    expect(call("regex.replace", "abc", "(b)", "$1x")).toBe("ac");
  });
  it("matches templates and glob intersections", () => {
    expect(call("regex.template_match", "urn:foo:{.*}", "urn:foo:bar:baz", "{", "}")).toBe(true);
    expect(call("regex.globs_match", "a.a.[0-9]+z", ".b.b2359825792*594823z")).toBe(true);
    expect(call("regex.globs_match", "[a-z]+", "[0-9]*")).toBe(false);
  });
});

describe("glob", () => {
  it("respects delimiters", () => {
    expect(call("glob.match", "*.github.com", ["."], "api.github.com")).toBe(true);
    expect(call("glob.match", "api.**.com", ["."], "api.cdn.github.com")).toBe(true);
    expect(call("glob.match", "*", [], "foo.bar")).toBe(false);
    expect(call("glob.match", "*", null, "foo.bar")).toBe(true);
    expect(call("glob.match", "?at", ["f"], "fat")).toBe(false);
    expect(() => call("glob.match", "*", ["::"], "a")).toThrow("must be array of runes");
  });
  it("supports classes and alternatives", () => {
    expect(call("glob.match", "[!a-c]at", [], "fat")).toBe(true);
    expect(call("glob.match", "{cat,bat,[fr]at}", [], "rat")).toBe(true);
    expect(call("glob.match", "{cat,bat,[fr]at}", [], "at")).toBe(false);
    expect(call("glob.quote_meta", "*.github.com")).toBe("\\*.github.com");
  });
});
