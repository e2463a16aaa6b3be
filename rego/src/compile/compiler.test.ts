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

  it("reads the right side of := (x := y with y bound nowhere is unsafe, as OPA)", () => {
    expect(errs("package t\nallow if {\n  x := y\n}")).toEqual([
      ["rego_unsafe_var_error", "var y is unsafe", 3],
    ]);
    // no binding flows back from the left side either
    expect(errs("package t\nallow if {\n  x := y\n  x == 7\n}")).toEqual([
      ["rego_unsafe_var_error", "var y is unsafe", 3],
    ]);
    // bound by another literal, before or after it: safe
    expect(errs("package t\nallow if {\n  x := y\n  y := 1\n}")).toEqual([]);
    expect(errs("package t\nallow if {\n  y := 1\n  x := y\n}")).toEqual([]);
    // a ref on the right side still iterates its operands
    expect(errs('package t\nallow if {\n  v := {"a": 1}[k]\n  k == "a"\n}')).toEqual([]);
    // = is unification: either side may bind
    expect(errs("package t\nallow if {\n  x = y\n  y = 1\n}")).toEqual([]);
  });

  it("type-checks literal operands of builtins (count(1) is a rego_type_error)", () => {
    const want = "want: (any<string, array[any], object[any: any], set[any]>)";
    for (const body of ["count(1)", "count(1) == 0", "x := count(1)", "count(true, n)"]) {
      const [e, ...more] = errs(`package t\nallow if {\n  ${body}\n}`);
      expect(more).toEqual([]);
      expect(e?.[0]).toBe("rego_type_error");
      expect(e?.[1]).toContain("count: invalid argument(s)");
      expect(e?.[1]).toContain(want);
      expect(e?.[2]).toBe(3);
    }
    expect(errs('package t\nallow if count("abc") == 3')).toEqual([]);
    expect(errs("package t\nallow if count([1]) == 1")).toEqual([]);
    expect(errs('package t\nallow if count({"a": 1}) == 1')).toEqual([]);
    expect(errs("package t\nallow if count({1}) == 1")).toEqual([]);
    expect(errs("package t\nallow if count(input.x) == 1")).toEqual([]);
    expect(errs("package t\nallow if to_number([1])")[0]?.[1]).toContain(
      "want: (any<null, boolean, number, string>)",
    );
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
