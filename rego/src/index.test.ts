import { describe, expect, it } from "vitest";
import { compile, RegoError, toJSON } from "./index.ts";

const policy = `package app

default allow := false

allow if {
	input.user.role == "admin"
}

allow if {
	some g in input.user.groups
	g in data.trusted
}

reasons contains "not admin" if input.user.role != "admin"

limits[name] := n if some name, n in {"cpu": 2, "mem": 4}

double(x) := x * 2

big := 9007199254740993 + 1

conflict := input.a
conflict := input.b
`;

describe("Engine", () => {
  const engine = compile({ "app.rego": policy });

  it("evalPath: defined vs undefined, default rules", () => {
    expect(engine.evalPath("data.app.allow", { input: { user: { role: "admin" } } })).toEqual({
      defined: true,
      value: true,
    });
    expect(engine.evalPath("app/allow", { input: { user: { role: "dev" } } }).value).toBe(false);
    expect(engine.evalPath("data.app.nothing").defined).toBe(false);
  });

  it("evalPath: a default's literal, composite or not, for same-literal and complete rules", () => {
    const e = compile({
      "d.rego": `package d
default same := false
same if input.x > 0
default obj := {"level": "none", "tags": ["a"]}
obj := {"level": "high"} if input.x > 5
obj := {"level": "high"} if input.x > 9
default bare = 0
bare := 2 if input.x > 1
`,
    });
    const at = (name: string, x: number) =>
      toJSON(e.evalPath(`data.d.${name}`, { input: { x } }).value!);
    expect(at("same", 0)).toBe(false);
    expect(at("same", 1)).toBe(true);
    expect(at("obj", 0)).toEqual({ level: "none", tags: ["a"] });
    expect(at("obj", 7)).toEqual({ level: "high" });
    expect(at("bare", 0)).toBe(0);
    expect(at("bare", 2)).toBe(2);
  });

  it("merges base data with virtual documents", () => {
    const r = engine.evalPath("data.app.allow", {
      input: { user: { role: "dev", groups: ["ops"] } },
      data: { trusted: ["ops"] },
    });
    expect(r.value).toBe(true);
  });

  it("eval: one binding object per solution", () => {
    const rows = engine.eval("some k; data.app.limits[k] = v", {});
    expect(rows.map((r) => [r.k, r.v]).sort()).toEqual([
      ["cpu", 2],
      ["mem", 4],
    ]);
    expect(engine.eval("x := data.app.double(21)")).toEqual([{ x: 42 }]);
    expect(engine.eval("false")).toEqual([]);
  });

  it("keeps big integers exact", () => {
    expect(engine.evalPath("data.app.big").value).toBe(9007199254740994n);
  });

  it("raises eval_conflict_error for complete rules with two values", () => {
    expect(() => engine.evalPath("data.app.conflict", { input: { a: 1, b: 2 } })).toThrow(
      RegoError,
    );
    expect(engine.evalPath("data.app.conflict", { input: { a: 1, b: 1 } }).value).toBe(1);
  });

  it("with replaces input, data and functions", () => {
    const rows = engine.eval('x := data.app.allow with input.user.role as "admin"', {
      input: { user: {} },
    });
    expect(rows).toEqual([{ x: true }]);
    expect(engine.eval("x := data.app.double(2) with data.app.double as 7")).toEqual([{ x: 7 }]);
  });

  it("builtin errors are undefined unless strict", () => {
    const e = compile({ "p.rego": "package p\nx := 1 / input.d" });
    expect(e.evalPath("data.p.x", { input: { d: 0 } }).defined).toBe(false);
    expect(() => e.evalPath("data.p.x", { input: { d: 0 }, strict: true })).toThrow(
      /divide by zero/,
    );
  });

  it("fixes time per query and collects print output", () => {
    const lines: string[] = [];
    const e = compile({ "p.rego": 'package p\nx if print("hi", input.n, input.missing)' });
    e.evalPath("data.p.x", { input: { n: 1 }, print: (l) => lines.push(l) });
    expect(lines).toEqual(["hi 1 <undefined>"]);
  });

  it("serialises sets sorted and non-string keys as JSON", () => {
    const e = compile({ "p.rego": 'package p\ns := {3, 1, 2}\no := {1: "a"}' });
    expect(toJSON(e.evalPath("data.p").value!)).toEqual({ o: { "1": "a" }, s: [1, 2, 3] });
  });

  it("does not reuse data-dependent values across different data", () => {
    const e = compile({ "p.rego": "package p\nlimit := data.cfg.limit\nk := 1" });
    expect(e.evalPath("data.p.limit").defined).toBe(false);
    expect(e.evalPath("data.p.limit", { data: { cfg: { limit: 3 } } }).value).toBe(3);
    const data = { cfg: { limit: 5 } };
    expect(e.evalPath("data.p.limit", { data }).value).toBe(5);
    expect(e.evalPath("data.p.limit", { data }).value).toBe(5);
    expect(e.evalPath("data.p.k", { data }).value).toBe(1);
  });

  it("does not share a value that a swallowed builtin error made undefined", () => {
    const e = compile({ "p.rego": "package p\nx := 1 / 0" });
    expect(e.evalPath("data.p.x").defined).toBe(false);
    expect(() => e.evalPath("data.p.x", { strict: true })).toThrow(/divide by zero/);
  });

  it("memoises per query: a value seen under with is not the query's own, and back", () => {
    const e = compile({
      "p.rego": `package p
x := input.a
before := [x, y]
after := [y, x]
y := v if v := x with input.a as 2
`,
    });
    expect(toJSON(e.evalPath("data.p.before", { input: { a: 1 } }).value!)).toEqual([1, 2]);
    expect(toJSON(e.evalPath("data.p.after", { input: { a: 1 } }).value!)).toEqual([2, 1]);
    expect(toJSON(e.evalPath("data.p.after", { input: { a: 3 } }).value!)).toEqual([2, 3]);
  });
});
