import { describe, expect, it } from "vitest";
import { compile } from "../index.ts";
import type { RSet } from "../value.ts";

const policy = `package t
v contains "a" if input.kind == "x"
v contains "b" if input.kind == "y"
v contains "c" if { input.kind == "x"; input.n > 1 }
v contains "d" if input.n > 5
v contains "e" if 1 == input.kind
`;

describe("rule index", () => {
  const engine = compile({ "t.rego": policy });
  const run = (input: unknown) =>
    [...(engine.evalPath("data.t.v", { input }).value as RSet)].sort();

  it("builds an index on the shared guard and gives the same answers", () => {
    const node = engine.policy.root.child("t")!.child("v")!;
    expect(node.ruleIndex?.path).toEqual(["kind"]);
    expect(run({ kind: "x", n: 6 })).toEqual(["a", "c", "d"]);
    expect(run({ kind: "y", n: 0 })).toEqual(["b"]);
    expect(run({ kind: 1.0, n: 0 })).toEqual(["e"]);
    expect(run({ n: 9 })).toEqual(["d"]);
  });

  it("follows with input", () => {
    expect(
      engine.eval('x := data.t.v with input.kind as "y"', { input: { kind: "x" } }),
    ).toHaveLength(1);
    const [row] = engine.eval('x := data.t.v with input.kind as "y"', { input: { kind: "x" } });
    expect([...(row!.x as RSet)]).toEqual(["b"]);
  });
});

describe("rules run through the index without their guard", () => {
  const engine = compile({
    "g.rego": `package g
v contains "only-guard" if input.kind == "x"
v contains "both" if { input.kind == "x"; input.kind == "y" }
v contains "late" if { input.n > 0; input.kind == "y" }
v contains "unguarded" if input.n > 5

# METADATA
# title: annotated
v contains title if {
	input.kind == "y"
	title := rego.metadata.rule().title
}
`,
  });
  const run = (input: unknown) =>
    [...(engine.evalPath("data.g.v", { input }).value as RSet)].sort();

  it("gives the answers the guards would", () => {
    const node = engine.policy.root.child("g")!.child("v")!;
    expect(node.ruleIndex?.path).toEqual(["kind"]);
    expect(run({ kind: "x", n: 1 })).toEqual(["only-guard"]);
    expect(run({ kind: "y", n: 1 })).toEqual(["annotated", "late"]);
    expect(run({ kind: "y", n: 0 })).toEqual(["annotated"]);
    expect(run({ kind: "z", n: 9 })).toEqual(["unguarded"]);
    expect(run({ n: 9 })).toEqual(["unguarded"]);
  });

  it("still follows with input", () => {
    const [row] = engine.eval('x := data.g.v with input.kind as "x"', {
      input: { kind: "y", n: 1 },
    });
    expect([...(row!.x as RSet)]).toEqual(["only-guard"]);
  });
});

describe("a node's value kind", () => {
  const engine = compile({
    "k.rego": `package k
s contains "a" if input.n > 0
same if input.n > 0
same if input.n < -5
c := 1 if input.n > 0
c := 1 if input.n > 1
e := "pos" if { input.n > 0 } else := "non-pos"
mixed if input.n > 0
mixed := 2 if input.n > 9
obj[k] := 1 if { some k in ["x"]; input.n > 0 }
`,
  });
  const node = (name: string) => engine.policy.root.child("k")!.child(name)!;
  const value = (name: string, n: number) => engine.evalPath(`data.k.${name}`, { input: { n } });

  it("is set once the tree is indexed, from the rules placed at the node", () => {
    expect(node("s").valueKind).toBe("multi");
    expect(node("same").valueKind).toBe("same");
    expect(node("c").valueKind).toBe("same");
    expect(node("e").valueKind).toBe("complete");
    expect(node("mixed").valueKind).toBe("complete");
    expect(node("obj").valueKind).toBe("complete");
  });

  it("gives each kind's value", () => {
    expect([...(value("s", 1).value as RSet)]).toEqual(["a"]);
    expect(value("same", -9).value).toBe(true);
    expect(value("same", 0).defined).toBe(false);
    expect(value("e", 0).value).toBe("non-pos");
    expect(() => value("mixed", 10)).toThrow(/complete rules must not produce multiple outputs/);
    expect(value("obj", 1).value).toBeDefined();
  });
});

describe("an index with many guard constants", () => {
  const kinds = Array.from({ length: 12 }, (_, i) => `k${i}`);
  const engine = compile({
    "m.rego": `package m
${kinds.map((k) => `v contains "${k}" if input.kind == "${k}"`).join("\n")}
v contains "any" if input.n > 0
`,
  });
  const run = (input: unknown) =>
    [...(engine.evalPath("data.m.v", { input }).value as RSet)].sort();

  it("looks the constant up in a Map past the scanned size, with the same answers", () => {
    const ix = engine.policy.root.child("m")!.child("v")!.ruleIndex!;
    expect(ix.smallKeys).toBeUndefined();
    expect(ix.byValue.size).toBe(12);
    expect(run({ kind: "k11", n: 1 })).toEqual(["any", "k11"]);
    expect(run({ kind: "k0" })).toEqual(["k0"]);
    expect(run({ kind: "zz", n: 1 })).toEqual(["any"]);
    expect(run({ kind: 3 })).toEqual([]);
  });

  it("scans few constants, matching numbers and strings by value", () => {
    const small = compile({
      "s.rego": `package s
v contains "one" if input.k == 1
v contains "str" if input.k == "1"
v contains "two" if input.k == 2
v contains "null" if input.k == null
`,
    });
    const ix = small.policy.root.child("s")!.child("v")!.ruleIndex!;
    expect(ix.smallKeys).toHaveLength(4);
    const got = (k: unknown) => [...(small.evalPath("data.s.v", { input: { k } }).value as RSet)];
    expect(got(1)).toEqual(["one"]);
    expect(got(1.0)).toEqual(["one"]);
    expect(got("1")).toEqual(["str"]);
    expect(got(null)).toEqual(["null"]);
    expect(got(3)).toEqual([]);
    // a string made at run time is not the internalized copy: compared by content
    expect(got(String.fromCharCode(49))).toEqual(["str"]);
  });
});

describe("guards implied by a helper document", () => {
  const source = `package h
import data.h.file_write as fw
v contains "write" if file_write
v contains "aliased" if fw
v contains "by path" if data.h.file_write
v contains "net" if { input.kind == "net"; input.port == 80 }
v contains "any" if input.n > 5
v contains "shadowed" if { some file_write in input.list; file_write }
v contains "multi" if multi_doc
v contains "defaulted" if defaulted

file_write if {
	input.kind == "file"
	input.mode != "r"
}

file_write if {
	input.kind == "file"
	input.size > 100
}

multi_doc contains 1 if input.kind == "file"

default defaulted := false
defaulted if input.kind == "file"
`;
  const engine = compile({ "h.rego": source });
  const run = (input: unknown, opts: { data?: unknown } = {}) =>
    [...(engine.evalPath("data.h.v", { input, ...opts }).value as RSet)].sort();

  it("places a rule requiring a guarded helper under the helper's guard", () => {
    const ix = engine.policy.root.child("h")!.child("v")!.ruleIndex!;
    expect(ix.path).toEqual(["kind"]);
    expect(ix.implied).toBe(true);
    const heads = (rules: readonly { ast: { head: { key?: unknown } } }[]) =>
      rules.map((r) => JSON.stringify(r.ast.head.key));
    const file = heads(ix.byValue.get("file")!);
    expect(file.filter((h) => /write|aliased|by path/.test(h))).toHaveLength(3);
    // a local of the same name, a set (always defined) and a defaulted helper imply nothing
    for (const h of ["shadowed", "multi", "defaulted"])
      expect(heads(ix.unguarded).some((x) => x.includes(h))).toBe(true);
  });

  it("gives the answers the helper would", () => {
    expect(run({ kind: "file", mode: "w", list: [] })).toEqual([
      "aliased",
      "by path",
      "defaulted",
      "multi",
      "write",
    ]);
    expect(run({ kind: "net", mode: "w", port: 80, list: [true] })).toEqual([
      "multi",
      "net",
      "shadowed",
    ]);
    expect(run({ kind: "file", mode: "r", size: 1, n: 6, list: [] })).toEqual([
      "any",
      "defaulted",
      "multi",
    ]);
  });

  it("does not skip rules when the helper is replaced with `with` or by base data", () => {
    const [row] = engine.eval("x := data.h.v with data.h.file_write as true", {
      input: { kind: "net", list: [] },
    });
    expect([...(row!.x as RSet)].sort()).toEqual(["aliased", "by path", "multi", "write"]);
    // base data at a rule's path stands in for the rule here
    expect(run({ kind: "net", list: [] }, { data: { h: { file_write: true } } })).toContain(
      "write",
    );
  });
});
