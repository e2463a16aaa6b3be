import { describe, expect, it } from "vitest";
import { compile, toJSON } from "../index.ts";

/**
 * The evaluator has direct paths for common shapes (lookups, loops over
 * one collection, rules with a constant value). Each case here is answered
 * twice: as is, and with unrelated base data present, which sends data refs
 * through the general search. Both must agree, and with the expected value.
 */
const policy = `package t

critical := {"a", "c"}
obj := {"x": 1, "y": 2}
nested := {"p": {"q": "deep"}}

# a bound var as a ref operand
hits contains v if {
	some v in input.list
	critical[v]
}
named contains k if {
	some k in ["x", "z"]
	obj[k] > 0
}
deep contains v if {
	some k1 in ["p", "r"]
	v := nested[k1].q
}

# an unbound var as a ref operand still enumerates
keys contains k if obj[k]
pairs contains [k, v] if some k, v in obj

# constant-valued rules stop at the first solution; else chains
any_critical if {
	some v in input.list
	critical[v]
}
level := "high" if {
	some v in input.list
	critical[v]
} else := "some" if {
	count(input.list) > 0
} else := "none"
`;

const cases: unknown[] = [
  { list: ["a", "b", "c"] },
  { list: ["b"] },
  { list: [] },
  { list: ["c", "c"] },
  {},
];

const rules = ["hits", "named", "deep", "keys", "pairs", "any_critical", "level"];

describe("direct evaluation paths agree with the general search", () => {
  const engine = compile({ "t.rego": policy });
  const run = (rule: string, input: unknown, data?: unknown) => {
    const r = engine.evalPath(`data.t.${rule}`, { input, ...(data ? { data } : {}) });
    return r.defined ? toJSON(r.value!) : "undefined";
  };

  for (const rule of rules) {
    it(rule, () => {
      for (const input of cases) {
        expect(run(rule, input)).toEqual(run(rule, input, { other: 1 }));
      }
    });
  }

  it("gives the expected values", () => {
    const input = { list: ["a", "b", "c"] };
    expect(run("hits", input)).toEqual(["a", "c"]);
    expect(run("named", input)).toEqual(["x"]);
    expect(run("deep", input)).toEqual(["deep"]);
    expect(run("keys", input)).toEqual(["x", "y"]);
    expect(run("pairs", input)).toEqual([
      ["x", 1],
      ["y", 2],
    ]);
    expect(run("any_critical", input)).toBe(true);
    expect(run("any_critical", { list: ["b"] })).toBe("undefined");
    expect(run("level", input)).toBe("high");
    expect(run("level", { list: ["b"] })).toBe("some");
    expect(run("level", { list: [] })).toBe("none");
  });
});

describe("input reads are memoised per query", () => {
  const engine = compile({
    "m.rego": `package m
kinds := [input.kind, under_with, input.kind, input.obj.k]
under_with := v if v := input.kind with input.kind as "z"
nested := x if x := [input.kind, input.obj.k] with input.obj as {"k": "w"}
`,
  });
  const run = (rule: string, input: unknown) =>
    toJSON(engine.evalPath(`data.m.${rule}`, { input }).value!);

  it("a with sees its own input, and the query its own again after it", () => {
    expect(run("kinds", { kind: "a", obj: { k: 1 } })).toEqual(["a", "z", "a", 1]);
    expect(run("nested", { kind: "a", obj: { k: 1 } })).toEqual(["a", "w"]);
  });

  it("each query reads its own input", () => {
    expect(run("kinds", { kind: "b", obj: { k: 2 } })).toEqual(["b", "z", "b", 2]);
    expect(run("kinds", { kind: "c", obj: { k: 3 } })).toEqual(["c", "z", "c", 3]);
  });
});

describe("builtins called in place", () => {
  const engine = compile({
    "b.rego": `package b
starts if startswith(input.path, "/tmp/")
up := upper(input.name)
mocked := v if v := upper(input.name) with upper as lower
three := concat(input.sep, [input.name, "x"])
bad := startswith(input.path, input.n)
`,
  });
  const run = (rule: string, input: unknown, strict = false) =>
    engine.evalPath(`data.b.${rule}`, { input, strict });

  it("computes, tests and honours mocks", () => {
    expect(run("starts", { path: "/tmp/a" }).value).toBe(true);
    expect(run("starts", { path: "/etc/a" }).defined).toBe(false);
    expect(run("starts", {}).defined).toBe(false);
    expect(run("up", { name: "ab" }).value).toBe("AB");
    expect(run("mocked", { name: "AB" }).value).toBe("ab");
    expect(run("three", { name: "a", sep: "-" }).value).toBe("a-x");
  });

  it("a builtin error is undefined, or with strict a located error", () => {
    expect(run("bad", { path: "/x", n: 1 }).defined).toBe(false);
    expect(() => run("bad", { path: "/x", n: 1 }, true)).toThrow(
      expect.objectContaining({
        code: "eval_type_error",
        location: expect.objectContaining({ file: "b.rego", line: 6 }),
      }),
    );
  });
});

describe("orderings compared in place", () => {
  const engine = compile({
    "o.rego": `package o
ops := [input.a < input.b, input.a > input.b, input.a <= input.b, input.a >= input.b]
tested contains "lt" if input.a < input.b
tested contains "gte" if input.a >= input.b
tested contains "big" if count(input.list) > 1
mocked := v if v := input.a < input.b with lt as gt
mocked_test if input.a < input.b with lt as gt
`,
  });
  const run = (rule: string, input: unknown) => {
    const r = engine.evalPath(`data.o.${rule}`, { input });
    return r.defined ? toJSON(r.value!) : "undefined";
  };

  it("order numbers, strings and mixed types as OPA does", () => {
    expect(run("ops", { a: 1, b: 2 })).toEqual([true, false, true, false]);
    expect(run("ops", { a: 2, b: 2.0 })).toEqual([false, false, true, true]);
    expect(run("ops", { a: "b", b: "a" })).toEqual([false, true, false, true]);
    // numbers sort before strings, null before everything
    expect(run("ops", { a: 10, b: "1" })).toEqual([true, false, true, false]);
    expect(run("ops", { a: null, b: false })).toEqual([true, false, true, false]);
    expect(run("ops", { a: [1, 2], b: [1, 3] })).toEqual([true, false, true, false]);
    expect(run("ops", { a: 1 })).toBe("undefined");
  });

  it("as body literals, and mocked", () => {
    expect(run("tested", { a: 1, b: 2, list: [1, 2] })).toEqual(["big", "lt"]);
    expect(run("tested", { a: 3, b: 2, list: [] })).toEqual(["gte"]);
    expect(run("mocked", { a: 1, b: 2 })).toBe(false);
    expect(run("mocked_test", { a: 3, b: 2 })).toBe(true);
    expect(run("mocked_test", { a: 1, b: 2 })).toBe("undefined");
  });
});
