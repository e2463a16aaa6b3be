import { describe, expect, it } from "vitest";
import { compare, equal, fromJSON, type RObject, RSet, toJSON } from "../value.ts";
import { RecordObject, recordKeys } from "./record-object.ts";

describe("RecordObject", () => {
  const make = () => new RecordObject(["b", "a", "c"], [2, [1], new RSet(["x"])]);

  it("answers like the RObject with the same entries", () => {
    const r = make();
    const o = fromJSON({ a: [1], b: 2, c: [] }) as RObject;
    o.set("c", new RSet(["x"]));
    expect(r.size).toBe(3);
    expect(r.get("a")).toEqual([1]);
    expect(r.get("z")).toBeUndefined();
    expect(r.get(1)).toBeUndefined();
    expect(r.has("c")).toBe(true);
    expect(equal(r, o)).toBe(true);
    expect(equal(o, r)).toBe(true);
    expect(compare(r, o)).toBe(0);
    expect(toJSON(r)).toEqual({ a: [1], b: 2, c: ["x"] });
    expect([...r.keys()]).toEqual(["b", "a", "c"]);
    const seen: unknown[] = [];
    r.some((k) => {
      seen.push(k);
      return k === "a";
    });
    expect(seen).toEqual(["b", "a"]);
  });

  it("moves to the RObject storage on mutation", () => {
    const r = make();
    r.set(5, "five");
    r.delete("b");
    expect(r.size).toBe(3);
    expect(r.get(5)).toBe("five");
    expect(r.get("b")).toBeUndefined();
    expect(toJSON(r)).toEqual({ "5": "five", a: [1], c: ["x"] });
  });

  it("takes only distinct keys that are their own hash keys", () => {
    expect(recordKeys(["a", "b"])).toBe(true);
    expect(recordKeys(["a", "a"])).toBe(false);
    expect(recordKeys(["a", 1])).toBe(false);
    expect(recordKeys(["\u0000x"])).toBe(false);
  });
});
