import { describe, expect, it } from "vitest";
import { fuzzParser } from "./fuzz.ts";

describe("parser fuzzing", () => {
  it("5k random and mutated inputs: no crash, every error positioned", () => {
    const start = Date.now();
    const { crashes, errors } = fuzzParser(5000, 42);
    expect(crashes.slice(0, 3)).toEqual([]);
    expect(errors).toBeGreaterThan(100);
    expect(Date.now() - start).toBeLessThan(20_000);
  });
});

describe("parser limits", () => {
  it("rejects very deep nesting with a positioned error instead of overflowing", async () => {
    const { parseModule } = await import("./module.ts");
    const deep = `package t\np := ${"[".repeat(50_000)}1${"]".repeat(50_000)}`;
    expect(() => parseModule(deep, "deep.rego")).toThrow(/nesting is too deep/);
  });
});
