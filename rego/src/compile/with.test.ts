import { describe, expect, it } from "vitest";
import { compile } from "../index.ts";

describe("with targets", () => {
  it("`with input as x` replaces the input document even where a local named input shadows it", () => {
    const engine = compile({
      "p.rego": `package p

allow if input.user == "admin"

shadowed_admin if {
	input := {"user": "admin"}
	allow with input as input
}

shadowed_bob if {
	input := {"user": "bob"}
	allow with input as input
}
`,
    });
    expect(engine.evalPath("data.p.shadowed_admin", { input: { user: "bob" } }).value).toBe(true);
    expect(engine.evalPath("data.p.shadowed_bob", { input: { user: "admin" } }).defined).toBe(
      false,
    );
  });

  it("still refuses a local that is not input or data as a target", () => {
    expect(() =>
      compile({ "p.rego": "package p\n\nq if {\n\tx := 1\n\ttrue with x as 2\n}\n" }),
    ).toThrow(/with keyword target must reference existing input, data, or a function/);
  });
});
