import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ABI_FIXTURE_ENTRYPOINTS,
  compileAbiFixture,
} from "../../../dev/fixtures/opa-abi/compile.ts";
import { loadWasmPolicy, WasmPolicyError } from "./wasm-policy.ts";

/** With the OPA Wasm ABI fixture (dev/fixtures/opa-abi/policy.wat: hand-written, not OPA-compiled). */
const fixture = await compileAbiFixture();
const sha256 = createHash("sha256").update(fixture).digest("hex");

describe("loadWasmPolicy", () => {
  it("loads a module whose SHA-256 matches and lists its entrypoints and ABI", async () => {
    const policy = await loadWasmPolicy(fixture, sha256.toUpperCase());
    expect(policy.sha256).toBe(sha256);
    expect(policy.entrypoints).toEqual([...ABI_FIXTURE_ENTRYPOINTS]);
    expect(policy.abiVersion).toBe("1.2");
  });

  it("refuses bytes whose SHA-256 differs, before running them", async () => {
    const tampered = fixture.slice();
    tampered[tampered.length - 1]! ^= 1;
    const err = await loadWasmPolicy(tampered, sha256).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WasmPolicyError);
    expect(err).toMatchObject({ stage: "integrity" });
    expect((err as Error).message).toContain(sha256);
  });

  it("refuses bytes opa-wasm cannot load (stage load, with the reason)", async () => {
    const text = new TextEncoder().encode("not wasm");
    const hash = createHash("sha256").update(text).digest("hex");
    await expect(loadWasmPolicy(text, hash)).rejects.toMatchObject({
      stage: "load",
      message: expect.stringMatching(/^opa-wasm cannot load the module: .*magic/),
    });
  });

  it.each([
    [{ user: "admin" }, true, "admin"],
    [{ user: "alice" }, false, "alice"],
    [{ user: 3 }, false, undefined],
    [{}, false, undefined],
    [false, false, undefined],
    [undefined, false, undefined],
  ])("input %j: allow %j, user %j", async (input, allow, user) => {
    const policy = await loadWasmPolicy(fixture, sha256);
    expect(policy.evaluate("tether/authz/allow", input)).toEqual({
      defined: true,
      value: allow,
      resultSet: [{ result: allow }],
    });
    const u = policy.evaluate("tether/authz/user", input);
    if (user === undefined) expect(u).toEqual({ defined: false, resultSet: [] });
    else expect(u).toEqual({ defined: true, value: user, resultSet: [{ result: user }] });
  });

  it("reports evaluation errors and unknown entrypoints as WasmPolicyError (eval), and keeps answering", async () => {
    const policy = await loadWasmPolicy(fixture, sha256);
    expect(() => policy.evaluate("tether/authz/conflict", { user: "x" })).toThrow(
      expect.objectContaining({
        stage: "eval",
        message: expect.stringContaining("eval_conflict_error"),
      }),
    );
    expect(() => policy.evaluate("tether/authz/deny", {})).toThrow(
      /no entrypoint "tether\/authz\/deny"/,
    );
    expect(policy.evaluate("tether/authz/conflict", {})).toEqual({ defined: false, resultSet: [] });
    expect(policy.evaluate("tether/authz/allow", { user: "admin" }).value).toBe(true);
  });
});
