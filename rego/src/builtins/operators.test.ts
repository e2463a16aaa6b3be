import { describe, expect, it } from "vitest";
import { RSet } from "../value.ts";
import { call } from "./test-helpers.ts";

describe("operators", () => {
  it("keeps integers exact beyond 2^53", () => {
    expect(call("plus", 9007199254740991, 2)).toBe(9007199254740993n);
    expect(call("mul", 10000000000, 10000000000)).toBe(100000000000000000000n);
    expect(call("minus", 9007199254740993n, 2)).toBe(9007199254740991);
    expect(call("plus", 49649733057, 1)).toBe(49649733058);
  });
  it("divides exactly and reports division by zero", () => {
    expect(call("div", 1, 4)).toBe(0.25);
    expect(call("div", 100000000000000000000n, 10)).toBe(10000000000000000000n);
    expect(() => call("div", 1, 0)).toThrow("div: divide by zero");
    expect(() => call("rem", 7, 0)).toThrow("modulo by zero");
    expect(() => call("rem", 1.1, 1)).toThrow("modulo on floating-point number");
    expect(call("rem", -7, 3)).toBe(-1);
  });
  it("subtracts sets and rejects mixed operands", () => {
    expect(call("minus", new RSet([1, 2]), new RSet([2]))).toEqual(new RSet([1]));
    expect(() => call("minus", new RSet([1]), 1)).toThrow("operand 2 must be set but got number");
    expect(() => call("minus", 1, new RSet([1]))).toThrow("operand 2 must be number but got set");
  });
  it("compares across types in OPA's order", () => {
    expect(call("lt", null, false)).toBe(true);
    expect(call("lt", 1, "a")).toBe(true);
    expect(call("equal", 1, 1.0)).toBe(true);
  });
});

describe("float overflow", () => {
  it("is an error rather than Infinity", () => {
    expect(() => call("mul", 2.5, 1e308)).toThrow("exceeds float64 range");
    expect(call("mul", 1e308, 10)).toBe(10n ** 309n);
  });
});

describe("decimal arithmetic on floats", () => {
  it("adds and multiplies the numbers as written", () => {
    expect(call("plus", 0.1, 0.2)).toBe(0.3);
    expect(call("mul", 0.1, 3)).toBe(0.3);
    expect(call("minus", 1.1, 0.2)).toBe(0.9);
    expect(call("sum", [1.1, 2.2, 3.3])).toBe(6.6);
    expect(call("mul", 1.5e-7, 2)).toBe(3e-7);
    expect(call("plus", 1e21, 0.5)).toBe(1e21);
  });
});
