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
