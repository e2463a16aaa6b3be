import { DecisionLogEntry } from "@tether/schema/wire";
import { describe, expect, it } from "vitest";
import { decide, MAX_LOGGED_VALUE_BYTES } from "./decide.ts";
import { PolicySet } from "./policy-set.ts";
import { abiModule, netPolicy, regoPolicy, wasmPolicy } from "./test-policies.ts";
import { loadWasmPolicy } from "./wasm-policy.ts";

async function compiled() {
  const set = new PolicySet();
  await set.update([regoPolicy({ revision: 7 }), netPolicy({ revision: 9 })]);
  return set.current!;
}

const ID = "00000000-0000-4000-8000-0000000000d1";
const fixed = { now: () => new Date("2026-03-01T10:00:00.000Z"), newId: () => ID };

describe("decide", () => {
  it("answers and writes OPA's decision-log fields, with the owning policy's id, revision and mode", async () => {
    const d = decide(
      await compiled(),
      "data.tether.sandbox.allow",
      { syscall_name: "read" },
      {
        ...fixed,
        labels: { agent_version: "0.1.0" },
      },
    );
    expect(d).toMatchObject({
      decisionId: ID,
      path: "tether/sandbox/allow",
      defined: true,
      value: true,
      mode: "enforce",
    });
    expect(d.policy?.name).toBe("sandbox");
    expect(d.log).toEqual({
      decision_id: ID,
      path: "tether/sandbox/allow",
      input: { syscall_name: "read" },
      result: true,
      timestamp: "2026-03-01T10:00:00.000Z",
      policy_id: regoPolicy().id,
      revision: 7,
      mode: "enforce",
      labels: { agent_version: "0.1.0" },
      metrics: { timer_eval_ns: expect.any(Number) },
    });
    expect(d.log.metrics.timer_eval_ns).toBeGreaterThan(0);
  });

  it("marks audit-mode decisions, omits undefined results, keeps a defined null", async () => {
    const set = await compiled();
    const audit = decide(set, "/tether/net/allow", { port: 22 }, fixed);
    expect(audit).toMatchObject({ defined: false, mode: "audit" });
    expect(audit.log).not.toHaveProperty("result");
    expect(audit.log).toMatchObject({ mode: "audit", revision: 9, policy_id: netPolicy().id });

    const orphan = decide(set, "nowhere", undefined, fixed);
    expect(orphan.mode).toBeUndefined();
    expect(orphan.log).toMatchObject({ policy_id: null, revision: null, mode: null });
    expect(orphan.log).not.toHaveProperty("input");

    const withNull = new PolicySet();
    await withNull.update([regoPolicy({ source: "package tether.sandbox\n\nn := null\n" })]);
    const n = decide(withNull.current!, "tether/sandbox/n", {}, fixed);
    expect(n.log).toHaveProperty("result", null);
  });

  it("logs an input the control plane could not store without it, and says why", async () => {
    const set = await compiled();
    const big = { blob: "x".repeat(MAX_LOGGED_VALUE_BYTES) };
    const d = decide(set, "tether/sandbox/allow", big, fixed);
    expect(d.value).toBe(false); // the decision itself used the input
    expect(d.log).not.toHaveProperty("input");
    expect(d.log.labels.input_dropped).toMatch(/^larger than 65536 bytes \(\d+\)$/);

    const nul = decide(set, "tether/sandbox/allow", { syscall_name: "re\u0000ad" }, fixed);
    expect(nul.log).not.toHaveProperty("input");
    expect(nul.log.labels.input_dropped).toBe("must not contain NUL characters");
    // Every entry passes the shared schema the control plane validates with.
    for (const e of [d.log, nul.log]) expect(DecisionLogEntry.safeParse(e).success).toBe(true);
  });

  it("decides a Wasm entrypoint with its module and logs it like a Rego decision (the Wasm policy's id, revision, mode)", async () => {
    const module = await abiModule();
    const policy = wasmPolicy(module, { revision: 11, mode: "audit" });
    const set = new PolicySet((p) => loadWasmPolicy(module.bytes, p.sha256));
    await set.update([regoPolicy({ revision: 7 }), policy]);
    const d = decide(set.current!, "data.tether.authz.allow", { user: "admin" }, fixed);
    expect(d).toMatchObject({ path: "tether/authz/allow", defined: true, value: true });
    expect(d.mode).toBe("audit");
    expect(d.log).toEqual({
      decision_id: ID,
      path: "tether/authz/allow",
      input: { user: "admin" },
      result: true,
      timestamp: "2026-03-01T10:00:00.000Z",
      policy_id: policy.id,
      revision: 11,
      mode: "audit",
      labels: {},
      metrics: { timer_eval_ns: expect.any(Number) },
    });
    const undef = decide(set.current!, "tether/authz/user", { user: 1 }, fixed);
    expect(undef.log).not.toHaveProperty("result");
    expect(undef.log.policy_id).toBe(policy.id);
    expect(DecisionLogEntry.safeParse(d.log).success).toBe(true);
  });
});
