import { describe, expect, it } from "vitest";
import { equal, fromJSON, RObject, RSet, toJSON, type Value } from "../value.ts";
import {
  getIn,
  type JsonObject,
  jsonIn,
  lazyJSON,
  plainRecord,
  recordIn,
  recordReader,
} from "./json-input.ts";

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

describe("getIn", () => {
  const raw = { a: { b: { c: "deep", n: null } }, list: [{ x: 1 }, "s"], s: new RSet(["k"]) };

  it("follows members, array indices and set membership", () => {
    const v = lazyJSON(raw);
    expect(getIn(v, ["a", "b", "c"])).toBe("deep");
    expect(getIn(v, ["a", "b", "n"])).toBeNull();
    expect(getIn(v, ["list", 0, "x"])).toBe(1);
    expect(getIn(v, ["list", 1])).toBe("s");
    expect(getIn(v, ["s", "k"])).toBe("k");
    expect(equal(getIn(v, ["a", "b"])!, fromJSON({ c: "deep", n: null }))).toBe(true);
  });

  it("is undefined past a missing member, a scalar, a non-string key or an inherited property", () => {
    const v = lazyJSON(raw);
    expect(getIn(v, ["a", "zz", "c"])).toBeUndefined();
    expect(getIn(v, ["a", "b", "c", "d"])).toBeUndefined();
    expect(getIn(v, ["a", 1])).toBeUndefined();
    expect(getIn(v, ["list", 1.5])).toBeUndefined();
    expect(getIn(v, ["a", "toString"])).toBeUndefined();
    expect(getIn(v, ["a", "__proto__"])).toBeUndefined();
  });

  it("gives the same value for every read of one member", () => {
    const v = lazyJSON(raw) as JsonObject;
    expect(getIn(v, ["a", "b"])).toBe(getIn(v, ["a", "b"]));
    expect(getIn(v, ["a", "b"])).toBe((v.get("a") as RObject).get("b"));
    expect(getIn(v, ["list"])).toBe(v.get("list"));
  });

  it("reads a converted object after it was mutated", () => {
    const v = lazyJSON({ a: { b: 1 } }) as JsonObject;
    v.set("z", 2);
    expect(getIn(v, ["a", "b"])).toBe(1);
    expect(getIn(v, ["z"])).toBe(2);
  });
});

describe("RObject keys", () => {
  it("keeps composite, big and NUL-prefixed keys as written", () => {
    const o = new RObject();
    o.set([1, "a"], "arr");
    o.set(2n ** 64n, "big");
    o.set("\u0000x", "nul");
    o.set("plain", 1);
    expect(o.get([1, "a"])).toBe("arr");
    expect(o.get(2n ** 64n)).toBe("big");
    expect(o.get("\u0000x")).toBe("nul");
    expect([...o.keys()]).toEqual([[1, "a"], 2n ** 64n, "\u0000x", "plain"]);
    const seen: unknown[] = [];
    o.some((k) => {
      seen.push(k);
      return false;
    });
    expect(seen).toEqual([...o.keys()]);
    o.delete([1, "a"]);
    expect(o.has([1, "a"])).toBe(false);
    expect(o.size).toBe(3);
  });
});

describe("jsonIn", () => {
  const raw = {
    a: { b: [10, { c: "deep" }], n: null, big: 2n ** 70n, small: 5n, gone: undefined },
    rego: RObject.fromRecord({ k: "v" }),
    s: new RSet(["m"]),
  };

  it("reads paths as getIn does on the converted input, converting only the result", () => {
    const paths: Value[][] = [
      [],
      ["a"],
      ["a", "b"],
      ["a", "b", 1, "c"],
      ["a", "b", 0],
      ["a", "b", "0"],
      ["a", "n"],
      ["a", "big"],
      ["a", "small"],
      ["a", "gone"],
      ["a", "missing", "x"],
      ["rego", "k"],
      ["s", "m"],
      ["s", "x"],
      [1],
    ];
    for (const p of paths) {
      const want = getIn(lazyJSON(raw), p);
      const got = jsonIn(raw, p);
      expect(got === undefined ? "undefined" : toJSON(got)).toEqual(
        want === undefined ? "undefined" : toJSON(want),
      );
    }
    expect(jsonIn(raw, ["a", "small"])).toBe(5);
  });

  it("sees own members only", () => {
    for (const key of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(jsonIn({}, [key])).toBeUndefined();
      expect(jsonIn({ a: {} }, ["a", key])).toBeUndefined();
    }
    expect(jsonIn(JSON.parse('{"__proto__": 1}'), ["__proto__"])).toBe(1);
    // a Rego value in the JSON answers by its entries, never by its storage
    const inner = {
      r: RObject.fromRecord({ vals: 1, k: 2 }),
      e: new RObject(),
      s: new RSet(["a"]),
    };
    expect(jsonIn(inner, ["r", "vals"])).toBe(1);
    expect(jsonIn(inner, ["r", "k"])).toBe(2);
    for (const key of ["vals", "written", "size"])
      expect(jsonIn(inner, ["e", key])).toBeUndefined();
    expect(jsonIn(inner, ["s", "a"])).toBe("a");
    expect(jsonIn({ list: ["x"] }, ["list", "0"])).toBeUndefined();
    expect(jsonIn({ list: ["x"] }, ["list", 0])).toBe("x");
  });
});

describe("recordIn (plain keys on a plain record)", () => {
  const raw = {
    a: { b: [10, { c: "deep" }], n: null, small: 5n, gone: undefined, list: ["x"] },
    rego: RObject.fromRecord({ k: "v", vals: 1 }),
    empty: new RObject(),
    s: new RSet(["m"]),
    undef: undefined,
  };

  it("reads what jsonIn reads", () => {
    const paths = [
      ["a"],
      ["a", "b"],
      ["a", "n"],
      ["a", "small"],
      ["a", "gone"],
      ["a", "missing", "x"],
      ["a", "list", "length"],
      ["a", "list", "map"],
      ["rego", "k"],
      ["rego", "vals"],
      ["empty", "vals"],
      ["empty", "size"],
      ["empty", "get"],
      ["s", "m"],
      ["s", "size"],
      ["undef", "x"],
      ["missing"],
    ];
    for (const p of paths) {
      const want = jsonIn(raw, p);
      const got = recordIn(raw, p);
      expect(got === undefined ? "undefined" : toJSON(got), p.join(".")).toEqual(
        want === undefined ? "undefined" : toJSON(want),
      );
    }
  });

  it("reads what recordIn reads through a function made for the path", () => {
    const withCtor = { p: { constructor: "c", name: "n" }, bare: Object.create(null) };
    withCtor.bare.k = "b";
    const cases: [Record<string, unknown>, string[]][] = [
      [raw, ["a", "b"]],
      [raw, ["a", "small"]],
      [raw, ["a", "gone"]],
      [raw, ["a", "list", "length"]],
      [raw, ["rego", "k"]],
      [raw, ["empty", "size"]],
      [raw, ["s", "m"]],
      [raw, ["undef", "x"]],
      [raw, ["missing", "x", "y"]],
      [withCtor, ["p", "name"]],
      [withCtor, ["bare", "k"]],
      [{ 'a"b': { "\u2028": 1 } }, ['a"b', "\u2028"]],
    ];
    for (const [record, p] of cases) {
      const want = recordIn(record, p);
      const got = recordReader(p)(record);
      expect(got === undefined ? "undefined" : toJSON(got), p.join(".")).toEqual(
        want === undefined ? "undefined" : toJSON(want),
      );
    }
  });

  it("takes only plain JSON objects as the record", () => {
    const bare = Object.assign(Object.create(null), { a: 1 });
    expect(plainRecord(bare)).toBe(bare);
    expect(plainRecord(JSON.parse('{"a": 1}'))).toBeDefined();
    for (const x of [null, 1, "s", [1], new RObject(), new RSet(), new Date(0)])
      expect(plainRecord(x)).toBeUndefined();
  });
});
