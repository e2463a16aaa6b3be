import { describe, expect, it } from "vitest";
import { fromJSON, RObject, RSet, toJSON } from "../value.ts";
import { call } from "./test-helpers.ts";

const json = (v: unknown) => toJSON(v as never);

describe("objects", () => {
  it("gets along paths through objects and arrays", () => {
    expect(call("object.get", { a: { b: [{ c: 1 }] } }, ["a", "b", 0, "c"], 2)).toBe(1);
    expect(call("object.get", { a: 1 }, [], 2)).toEqual(fromJSON({ a: 1 }));
    expect(() => call("object.get", "x", ["a"], 2)).toThrow(
      "object.get: operand 1 must be object but got string",
    );
  });
  it("checks subsets recursively", () => {
    const a = fromJSON({ a: 5, n: { x: 1, arr: [6, 7, 8, 9] } });
    expect(call("object.subset", a, fromJSON({ n: { arr: [7, 8] } }))).toBe(true);
    expect(call("object.subset", a, fromJSON({ n: { arr: [6, 8] } }))).toBe(false);
    expect(call("object.subset", [1, 2, 3], new RSet([3, 1]))).toBe(true);
    expect(() => call("object.subset", new RSet([1]), [1])).toThrow();
  });
  it("merges objects deeply", () => {
    const r = call("object.union_n", [{ a: { b: 1 } }, { a: { c: 2 } }, { d: 3 }]);
    expect(json(r)).toEqual({ a: { b: 1, c: 2 }, d: 3 });
  });
  it("removes keys named by sets, arrays or objects", () => {
    const o = { a: 1, b: 2, c: 3 };
    expect(json(call("object.remove", o, new RSet(["a"])))).toEqual({ b: 2, c: 3 });
    expect(json(call("object.filter", o, RObject.fromRecord({ c: 0 })))).toEqual({ c: 3 });
  });
});

describe("json paths and patches", () => {
  const doc = { a: { b: { c: 7, d: 8 } }, e: 9 };
  it("filters and removes by string and array paths", () => {
    expect(json(call("json.filter", doc, new RSet(["a/b/c", "e"])))).toEqual({
      a: { b: { c: 7 } },
      e: 9,
    });
    expect(json(call("json.remove", { a: [{ b: 7, c: 8 }, { d: 9 }] }, ["a/0/b", "a/1"]))).toEqual({
      a: [{ c: 8 }],
    });
    expect(json(call("json.remove", doc, new RSet([fromJSON(["a", "b", "c"])])))).toEqual({
      a: { b: { d: 8 } },
      e: 9,
    });
  });
  it("reads string paths as JSON pointers", () => {
    expect(json(call("json.filter", { "a/b": 1, c: 2 }, ["//a~1b"]))).toEqual({ "a/b": 1 });
  });
  it("applies RFC 6902 patches", () => {
    const ops = [
      { op: "add", path: "/foo/1", value: "qux" },
      { op: "move", from: "/foo/0", path: "/bar" },
      { op: "test", path: "/bar", value: "x" },
    ];
    expect(json(call("json.patch", { foo: ["x", "y"] }, ops))).toEqual({
      foo: ["qux", "y"],
      bar: "x",
    });
    expect(() => call("json.patch", [1, 2, 3], [{ op: "add", path: "1.2", value: 1 }])).toThrow();
  });
});
