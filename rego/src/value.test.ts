import { describe, expect, it } from "vitest";
import { internalize } from "./value.ts";

describe("internalize", () => {
  it("returns the same text for any string", () => {
    for (const s of [
      "",
      "0",
      "42",
      "-1",
      "__proto__",
      "constructor",
      "a b",
      "é😀",
      "x".repeat(300),
    ]) {
      expect(internalize(s)).toBe(s);
    }
  });
});
