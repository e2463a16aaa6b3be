import { describe, expect, it } from "vitest";
import { equal, fromJSON, RObject, toJSON } from "../value.ts";
import { type JsonObject, lazyJSON } from "./json-input.ts";

describe("lazyJSON", () => {
  const raw = { a: 1, b: { c: [1, { d: "x" }] }, gone: undefined, "2": "two" };

  it("behaves like the eager conversion", () => {
    const v = lazyJSON(raw);
    expect(v).toBeInstanceOf(RObject);
    expect(equal(v, fromJSON({ a: 1, b: { c: [1, { d: "x" }] }, "2": "two" }))).toBe(true);
    expect((v as RObject).size).toBe(3);
    expect(toJSON(v)).toEqual({ "2": "two", a: 1, b: { c: [1, { d: "x" }] } });
  });

  it("drops undefined members and only answers string keys", () => {
    const v = lazyJSON(raw) as JsonObject;
    expect(v.has("gone")).toBe(false);
    expect(v.get(2)).toBeUndefined();
    expect(v.get("2")).toBe("two");
  });

  it("converts on mutation, then acts as a plain RObject", () => {
    const v = lazyJSON({ a: 1 }) as JsonObject;
    v.set("b", 2);
    v.set(3, "n");
    expect(toJSON(v)).toEqual({ "3": "n", a: 1, b: 2 });
  });
});
