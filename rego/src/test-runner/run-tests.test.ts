import { describe, expect, it } from "vitest";
import { runTests } from "./run-tests.ts";

describe("runTests", () => {
  it("reports pass, fail, error and todo like opa test (v1)", () => {
    const results = runTests({
      "p.rego": 'package p\n\nallow if input.user == "admin"\nf(x) := x / 0',
      "p_test.rego": [
        "package p_test",
        "import data.p",
        'test_admin if p.allow with input as {"user": "admin"}',
        'test_bob if p.allow with input as {"user": "bob"}',
        "test_err if p.f(1) == 1",
        "todo_test_later if false",
      ].join("\n"),
    });
    const by = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(by.test_admin?.passed).toBe(true);
    expect(by.test_bob?.passed).toBe(false);
    expect(by.test_err?.passed).toBe(false);
    expect(by.todo_test_later?.skipped).toBe(true);
  });

  it("runs v0 suites", () => {
    const results = runTests(
      {
        "p.rego": 'package p\n\nallow { input.user == "admin" }\ndeny[msg] { msg := "no" }',
        "t.rego":
          'package p\n\ntest_allow { allow with input as {"user": "admin"} }\ntest_deny { deny["no"] }',
      },
      { v0: true },
    );
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ["test_allow", true],
      ["test_deny", true],
    ]);
  });

  it("runs each definition of a repeated test name on its own, as test_x#01 …", () => {
    // OR-ing the bodies into one rule would hide the failing second definition
    const results = runTests(
      {
        "p.rego": "package p\n\nallow { input.ok }",
        "p_test.rego": [
          "package p",
          'test_x { allow with input as {"ok": true} }',
          'test_x { allow with input as {"ok": false} }',
          "test_y { true }",
          "test_x { true }",
        ].join("\n"),
        "q_test.rego": "package p\n\ntest_x { true }",
      },
      { v0: true },
    );
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ["test_x", true],
      ["test_x#01", false],
      ["test_y", true],
      ["test_x#02", true],
      ["test_x#03", true],
    ]);
  });
});
