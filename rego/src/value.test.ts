import { describe, expect, it } from "vitest";
import { internalize, RObject, RSet, type Value } from "./value.ts";

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

describe("RSet", () => {
  const composite = (i: number): Value => RObject.fromRecord({ i, tag: [i] });

  it("finds elements by value while small, once keyed, and once indexed by a Map", () => {
    for (const n of [0, 1, 4, 5, 8, 9, 40]) {
      const plain = new RSet();
      const mixed = new RSet();
      for (let i = 0; i < n; i++) {
        plain.add(`s${i}`);
        // composites, big integers and NUL-led strings are not their own hash keys
        mixed.add(i % 3 === 0 ? composite(i) : i % 3 === 1 ? BigInt(i) : `\u0000${i}`);
      }
      expect(plain.size).toBe(n);
      expect(mixed.size).toBe(n);
      for (let i = 0; i < n; i++) {
        expect(plain.has(`s${i}`)).toBe(true);
        expect(mixed.has(i % 3 === 0 ? composite(i) : i % 3 === 1 ? i : `\u0000${i}`)).toBe(true);
      }
      expect(plain.has(`s${n}`)).toBe(false);
      expect(mixed.has(composite(n + 3))).toBe(false);
      expect(mixed.has(`${n}`)).toBe(false);
      expect([...plain]).toEqual(Array.from({ length: n }, (_, i) => `s${i}`));
      expect(plain.items()).toEqual([...plain.values()]);
    }
  });

  it("keeps one element per value, in first-insertion order", () => {
    const s = new RSet(["b", "a", "b", 1, 1n, 1.0, composite(2), composite(2)]);
    expect(s.size).toBe(4);
    expect(s.items()).toEqual(["b", "a", 1, composite(2)]);
    expect(s.sorted()).toEqual([1, "a", "b", composite(2)]);
  });

  it("grows after its elements were read, and deletes", () => {
    const s = new RSet(["x", "y"]);
    expect(s.items()).toEqual(["x", "y"]);
    for (let i = 0; i < 12; i++) s.add(`z${i}`);
    expect(s.size).toBe(14);
    s.delete("y");
    s.delete("absent");
    expect(s.has("y")).toBe(false);
    expect(s.has("z11")).toBe(true);
    expect(s.items()).toEqual(["x", ...Array.from({ length: 12 }, (_, i) => `z${i}`)]);
    expect(s.some((v) => v === "z3")).toBe(true);
    expect(s.some((v) => v === "y")).toBe(false);
    expect(Array.from({ length: s.size }, (_, i) => s.at(i))).toEqual(s.items());
  });
});

describe("RSet iteration", () => {
  it("sees elements added while it walks, as a Map's iterator does", () => {
    const s = new RSet([0]);
    const seen: Value[] = [];
    for (const v of s) {
      seen.push(v);
      if ((v as number) < 20) s.add((v as number) + 1);
    }
    expect(seen).toEqual(Array.from({ length: 21 }, (_, i) => i));
  });
});
