import { describe, expect, it } from "vitest";
import { check } from "../index.ts";

const errs = (src: string) =>
  check({ "m.rego": src }).map((e) => [e.code, e.message, e.location?.line]);

describe("compile checks (OPA codes, positions)", () => {
  it("reports unsafe vars", () => {
    expect(errs("package t\np if {\n  x > 1\n}")).toEqual([
      ["rego_unsafe_var_error", "var x is unsafe", 3],
    ]);
  });

  it("reorders bodies so vars are bound before use", () => {
    expect(errs("package t\np if {\n  x > 1\n  x := 2\n}")).toEqual([]);
  });

  it("reports undefined functions and arity mismatches", () => {
    expect(errs("package t\np := nope(1)")[0]?.slice(0, 2)).toEqual([
      "rego_type_error",
      "undefined function nope",
    ]);
    expect(errs("package t\np := count(1, 2, 3)")[0]?.[0]).toBe("rego_type_error");
  });

  it("reports recursion with the cycle", () => {
    const [e] = errs("package t\np if q\nq if p");
    expect(e?.[0]).toBe("rego_recursion_error");
    expect(e?.[1]).toContain("data.t.p -> data.t.q -> data.t.p");
  });

  it("reports conflicting rule kinds and bad with targets", () => {
    expect(errs("package t\nf(x) := 1\nf := 2")[0]?.[0]).toBe("rego_type_error");
    expect(errs("package t\np if true with nope.x as 1")[0]?.[0]).toBe("rego_compile_error");
  });

  it("collects parse errors from every module", () => {
    const out = check({ "a.rego": "package a\np :=", "b.rego": "package b\nq if {" });
    expect(out.map((e) => [e.code, e.location?.file])).toEqual([
      ["rego_parse_error", "a.rego"],
      ["rego_parse_error", "b.rego"],
    ]);
  });
});
