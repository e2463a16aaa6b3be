import { describe, expect, it } from "vitest";
import { RSet } from "../value.ts";
import { call } from "./test-helpers.ts";

describe("aggregates", () => {
  it("counts code points, not UTF-16 units", () => {
    expect(call("count", "a😀b")).toBe(3);
    expect(() => call("count", 5)).toThrow(
      "operand 1 must be one of {array, object, set, string} but got number",
    );
  });
  it("sums, multiplies and orders sets and arrays", () => {
    expect(call("sum", new RSet([1, 2, 3, 4]))).toBe(10);
    expect(call("product", [1, 2, 3, 4])).toBe(24);
    expect(call("max", [1, "a", null])).toBe("a");
    expect(call("min", [])).toBeUndefined();
    expect(call("sort", new RSet([3, 1, 2]))).toEqual([1, 2, 3]);
  });
  it("words type errors as OPA does", () => {
    expect(() => call("sum", 1)).toThrow(
      "sum: operand 1 must be one of {set, array} but got number",
    );
    expect(() => call("sum", new RSet([1, "a"]))).toThrow(
      "sum: operand 1 must be set of numbers but got set containing string",
    );
    expect(() => call("concat", ",", [1])).toThrow(
      "concat: operand 2 must be array of strings but got array containing number",
    );
  });
  it("implements `in` with and without keys", () => {
    expect(call("internal.member_2", 1, [1])).toBe(true);
    expect(call("internal.member_3", 1, "two", ["one", "two"])).toBe(true);
    expect(call("internal.member_2", 1, "foo")).toBe(false);
  });
});
