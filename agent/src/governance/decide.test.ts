import { DecisionLogEntry } from "@tether/schema/wire";
import { describe, expect, it } from "vitest";
import { decide, MAX_LOGGED_VALUE_BYTES } from "./decide.ts";
import { PolicySet } from "./policy-set.ts";
import { netPolicy, regoPolicy } from "./test-policies.ts";

function compiled() {
  const set = new PolicySet();
  set.update([regoPolicy({ revision: 7 }), netPolicy({ revision: 9 })]);
  return set.current!;
}

const ID = "00000000-0000-4000-8000-0000000000d1";
const fixed = { now: () => new Date("2026-03-01T10:00:00.000Z"), newId: () => ID };

describe("decide", () => {
  it("answers and writes OPA's decision-log fields, with the owning policy's id, revision and mode", () => {
    const d = decide(
      compiled(),
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

  it("marks audit-mode decisions, omits undefined results, keeps a defined null", () => {
    const set = compiled();
    const audit = decide(set, "/tether/net/allow", { port: 22 }, fixed);
    expect(audit).toMatchObject({ defined: false, mode: "audit" });
    expect(audit.log).not.toHaveProperty("result");
    expect(audit.log).toMatchObject({ mode: "audit", revision: 9, policy_id: netPolicy().id });

    const orphan = decide(set, "nowhere", undefined, fixed);
    expect(orphan.mode).toBeUndefined();
    expect(orphan.log).toMatchObject({ policy_id: null, revision: null, mode: null });
    expect(orphan.log).not.toHaveProperty("input");

    const withNull = new PolicySet();
    withNull.update([regoPolicy({ source: "package tether.sandbox\n\nn := null\n" })]);
    const n = decide(withNull.current!, "tether/sandbox/n", {}, fixed);
    expect(n.log).toHaveProperty("result", null);
  });

  it("logs an input the control plane could not store without it, and says why", () => {
    const set = compiled();
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
});
