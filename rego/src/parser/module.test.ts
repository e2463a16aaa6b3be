import { describe, expect, it } from "vitest";
import type { RegoError } from "../errors.ts";
import { parseModule, parseQuery } from "./module.ts";

const parseError = (src: string, v0 = false): RegoError => {
  try {
    parseModule(src, "m.rego", { v0 });
  } catch (e) {
    return e as RegoError;
  }
  throw new Error("expected a parse error");
};

describe("parseModule (v1)", () => {
  it("parses rule kinds: complete, contains, ref heads, functions, default, else", () => {
    const m = parseModule(
      [
        "package a.b",
        "import rego.v1",
        "default allow := false",
        "allow if input.x == 1",
        'deny contains msg if msg := "no"',
        'p.q[r] := 1 if r := "k"',
        "f(x) := y if { y := x } else := 0",
      ].join("\n"),
    );
    expect(m.pkg).toEqual(["a", "b"]);
    expect(m.rules.map((r) => r.head.ref.length)).toEqual([1, 1, 1, 3, 1]);
    expect(m.rules[0]!.isDefault).toBe(true);
    expect(m.rules[2]!.head.key?.type).toBe("var");
    expect(m.rules[4]!.head.args).toHaveLength(1);
    expect(m.rules[4]!.elses).toHaveLength(1);
  });

  it("parses some/every/with/not/comprehensions and keyword refs", () => {
    const m = parseModule(
      [
        "package t",
        "p if {",
        "  some k, v in input.xs",
        "  every x in input.ys { x > 0 }",
        "  not q with input as {}",
        "  s := {x | some x in [1, 2]}",
        "  not.foo == 1",
        "}",
      ].join("\n"),
    );
    expect(m.rules[0]!.body.map((e) => e.kind)).toEqual([
      "somein",
      "every",
      "term",
      "assign",
      "term",
    ]);
    expect(m.rules[0]!.body[2]!.negated).toBe(true);
    expect(m.rules[0]!.body[2]!.with).toHaveLength(1);
  });

  it("needs `if` before a body in v1, not in v0", () => {
    expect(parseError("package t\np { true }").message).toContain("`if` keyword is required");
    const m = parseModule("package t\np[x] { x := 1 }\nq { true }", "v0.rego", { v0: true });
    expect(m.rules[0]!.head.key?.type).toBe("var");
  });

  it("attaches METADATA annotations to the following rule", () => {
    const m = parseModule(
      "package t\n# METADATA\n# title: T\n# authors:\n# - Jane <j@x.io>\np := 1",
    );
    expect(m.rules[0]!.annotations).toEqual({
      title: "T",
      authors: [{ name: "Jane", email: "j@x.io" }],
    });
  });

  it("positions parse errors", () => {
    const e = parseError("package t\n\np := [1, 2");
    expect(e.code).toBe("rego_parse_error");
    expect(e.location?.line).toBe(3);
  });

  it("parses queries", () => {
    expect(parseQuery("x := 1; data.p[x] = y").map((e) => e.kind)).toEqual(["assign", "unify"]);
  });
});
