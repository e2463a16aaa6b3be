import { decisionLogs } from "@tether/schema/tables";
import type { DecisionLogEntryInput } from "@tether/schema/wire";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { enrollToken, register } from "../../test/agent-fixtures.ts";
import { api, newOrg, testDatabase } from "../../test/fixtures.ts";

const entry = (over: Partial<DecisionLogEntryInput> = {}): DecisionLogEntryInput => ({
  decision_id: crypto.randomUUID(),
  path: "tether/sandbox/allow",
  input: { syscall_name: "read", pid: 7 },
  result: true,
  timestamp: "2026-03-01T10:00:00.123Z",
  policy_id: crypto.randomUUID(),
  revision: 4,
  mode: "audit",
  labels: { enforcer: "sandbox-1" },
  metrics: { timer_eval_ns: 2500 },
  ...over,
});

async function storedFor(nodeId: string) {
  const { db, close } = testDatabase();
  try {
    return await db.select().from(decisionLogs).where(eq(decisionLogs.nodeId, nodeId));
  } finally {
    await close();
  }
}

const post = (node: { id: string; credential: string }, body: unknown, path = node.id) =>
  api("POST", `/v1/nodes/${path}/decisions`, { key: node.credential, body });

describe("POST /v1/nodes/{id}/decisions", () => {
  it("stores a batch with source agent and the credential's node and org; a retry stores nothing twice", async () => {
    const org = await newOrg();
    const node = await register(await enrollToken(org.orgId));
    const undefinedOne = entry({ result: undefined, mode: null, policy_id: null, revision: null });
    const nullOne = entry({ result: null });
    const batch = [entry(), undefinedOne, nullOne];
    const first = await post(node, { batch_id: "spool-1", decisions: batch });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: 3, stored: 3, duplicates: 0 });

    const rows = await storedFor(node.id);
    expect(rows).toHaveLength(3);
    const byId = new Map(rows.map((r) => [r.decisionId, r]));
    expect(byId.get(batch[0]!.decision_id)).toMatchObject({
      orgId: org.orgId,
      nodeId: node.id,
      source: "agent",
      path: "tether/sandbox/allow",
      input: { syscall_name: "read", pid: 7 },
      result: true,
      policyId: batch[0]!.policy_id,
      policyRevision: 4,
      mode: "audit",
      labels: { enforcer: "sandbox-1" },
      durationNs: 2500,
      appId: null,
    });
    expect(byId.get(batch[0]!.decision_id)!.timestamp.toISOString()).toBe(
      "2026-03-01T10:00:00.123Z",
    );
    // Undefined is SQL NULL; a defined null is JSON null.
    expect(byId.get(undefinedOne.decision_id)).toMatchObject({ result: null, mode: null });
    expect(byId.get(nullOne.decision_id)!.result).toBeNull();

    // The listing shows them as agent decisions of this node, undefined without `result`.
    const listed = await api("GET", `/api/decisions?node_id=${node.id}&source=agent`, {
      key: org.readKey,
    });
    expect(listed.body.decisions).toHaveLength(3);
    const undef = listed.body.decisions.find(
      (d: { decision_id: string }) => d.decision_id === undefinedOne.decision_id,
    );
    expect(undef).not.toHaveProperty("result");
    const nul = listed.body.decisions.find(
      (d: { decision_id: string }) => d.decision_id === nullOne.decision_id,
    );
    expect(nul).toHaveProperty("result", null);

    // The same batch again (a retry after a lost answer), and one overlapping it.
    const retry = await post(node, { batch_id: "spool-1", decisions: batch });
    expect(retry.body).toEqual({ received: 3, stored: 0, duplicates: 3 });
    const overlap = await post(node, { decisions: [batch[1]!, entry(), batch[1]!] });
    expect(overlap.body).toEqual({ received: 3, stored: 1, duplicates: 2 });
    expect(await storedFor(node.id)).toHaveLength(4);
  });

  it("answers 400 naming each bad field, and stores nothing of the batch", async () => {
    const org = await newOrg();
    const node = await register(await enrollToken(org.orgId));
    const good = entry();
    const res = await post(node, {
      decisions: [
        good,
        entry({ decision_id: "nope" }),
        entry({ timestamp: "yesterday", mode: "block" as never }),
        { ...entry(), extra: 1 },
        entry({ input: { s: "a\u0000b" } }),
        entry({ metrics: { timer_eval_ns: -1 } }),
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual([
      "body.decisions[1].decision_id",
      "body.decisions[2].timestamp",
      "body.decisions[2].mode",
      "body.decisions[3].extra",
      "body.decisions[4].input",
      "body.decisions[5].metrics.timer_eval_ns",
    ]);
    expect(res.body.error.details[0].message).toBe("must be a UUID");
    expect(await storedFor(node.id)).toEqual([]);

    const empty = await post(node, { decisions: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0]).toEqual({
      path: "body.decisions",
      message: "must hold at least one decision",
    });
    const notObject = await post(node, [good]);
    expect(notObject.status).toBe(400);
    expect(notObject.body.error.details[0].path).toBe("body");
    const broken = await post(node, '{"decisions": [');
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe("invalid_json");
    const text = await api("POST", `/v1/nodes/${node.id}/decisions`, {
      key: node.credential,
      body: "decisions",
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(415);
  });

  it("answers 413 past the decision count or the body size, storing nothing", async () => {
    const org = await newOrg();
    const node = await register(await enrollToken(org.orgId));
    const many = Array.from({ length: 1001 }, () =>
      entry({ input: undefined, labels: {}, metrics: {} }),
    );
    const tooMany = await post(node, { decisions: many });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error).toMatchObject({
      code: "payload_too_large",
      details: { max_decisions: 1000, decisions: 1001 },
    });
    const huge = await post(node, {
      decisions: [entry({ input: { blob: "x".repeat(1_100_000) } })],
    });
    expect(huge.status).toBe(413);
    expect(await storedFor(node.id)).toEqual([]);

    // 1000 is accepted, in one request.
    const full = await post(node, { decisions: many.slice(0, 1000) });
    expect(full.body).toEqual({ received: 1000, stored: 1000, duplicates: 0 });
  });

  it("a node posts only for itself, never into another org", async () => {
    const orgA = await newOrg();
    const orgB = await newOrg();
    const a1 = await register(await enrollToken(orgA.orgId), "a1");
    const a2 = await register(await enrollToken(orgA.orgId), "a2");
    const b1 = await register(await enrollToken(orgB.orgId), "b1");
    const body = { decisions: [entry()] };

    const none = await api("POST", `/v1/nodes/${a1.id}/decisions`, { body });
    expect(none.status).toBe(401);
    const admin = await api("POST", `/v1/nodes/${a1.id}/decisions`, { key: orgA.adminKey, body });
    expect(admin.status).toBe(401);
    const otherNode = await post(a2, body, a1.id);
    expect(otherNode.status).toBe(403);
    expect(otherNode.body.error.code).toBe("forbidden");
    const otherOrg = await post(b1, body, a1.id);
    expect(otherOrg.status).toBe(403);
    expect(await storedFor(a1.id)).toEqual([]);

    // Org B's node writes into org B only, whatever the batch says.
    const own = await post(b1, body);
    expect(own.body.stored).toBe(1);
    const { db, close } = testDatabase();
    try {
      const rows = await db
        .select({ orgId: decisionLogs.orgId })
        .from(decisionLogs)
        .where(and(eq(decisionLogs.decisionId, body.decisions[0]!.decision_id)));
      expect(rows).toEqual([{ orgId: orgB.orgId }]);
    } finally {
      await close();
    }
    // Org A's read key does not see org B's node's decisions.
    const listed = await api("GET", `/api/decisions?node_id=${b1.id}`, { key: orgA.readKey });
    expect(listed.body.decisions).toEqual([]);
  });
});
