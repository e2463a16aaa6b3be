import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, newOrg } from "../../test/fixtures.ts";
import {
  auditOf,
  eventsOf,
  insertNodes,
  insertPolicy,
  orgCounters,
  setNodeStatus,
  sorted,
} from "../../test/mesh-fixtures.ts";
import { hubClient } from "../services/hub-client.ts";

const names = (list: { name: string }[]) => list.map((n) => n.name).sort();

describe("GET /api/nodes", () => {
  it("shows each node's status and who is stale, and filters by group, mode and stale", async () => {
    const org = await newOrg();
    const [fresh, never, behind, silent] = await insertNodes(org.orgId, [
      { name: "fresh", groups: ["web"] },
      { name: "never", groups: ["web", "db"], mode: "audit" },
      { name: "behind", groups: ["db"] },
      { name: "silent" },
    ]);
    const now = new Date();
    await setNodeStatus(fresh!.id, { appliedRevision: 3, desiredRevision: 3, lastStatusAt: now });
    await setNodeStatus(behind!.id, { appliedRevision: 2, desiredRevision: 3, lastSeenAt: now });
    await setNodeStatus(silent!.id, {
      appliedRevision: 3,
      desiredRevision: 3,
      lastStatusAt: new Date(now.getTime() - 301_000),
      lastSeenAt: new Date(now.getTime() - 400_000),
    });

    const all = await api("GET", "/api/nodes", { key: org.readKey });
    expect(all.status).toBe(200);
    expect(all.body.nodes.map((n: { name: string }) => n.name)).toEqual([
      "fresh",
      "never",
      "behind",
      "silent",
    ]);
    const byName = Object.fromEntries(
      all.body.nodes.map((n: { name: string }) => [n.name, n]),
    ) as Record<string, { stale_reasons: string[] }>;
    expect(byName.fresh).toMatchObject({
      id: fresh!.id,
      hostname: fresh!.hostname,
      public_key: fresh!.publicKey,
      mesh_ip: fresh!.meshIp,
      endpoint: null,
      groups: ["web"],
      labels: {},
      mode: "enforce",
      last_seen_at: null,
      status: {
        applied_revision: 3,
        desired_revision: 3,
        ruleset_hash: null,
        peer_count: null,
        mode: null,
        errors: [],
        reported_at: now.toISOString(),
        agent_version: null,
      },
      stale: false,
      stale_reasons: [],
    });
    expect(byName.never).toMatchObject({ id: never!.id, mode: "audit", stale: true });
    expect(byName.never!.stale_reasons).toEqual(["never_reported", "silent"]);
    expect(byName.behind!.stale_reasons).toEqual(["behind"]);
    expect(byName.silent!.stale_reasons).toEqual(["silent"]);

    const list = async (query: string) =>
      names((await api("GET", `/api/nodes?${query}`, { key: org.readKey })).body.nodes);
    expect(await list("stale=true")).toEqual(["behind", "never", "silent"]);
    expect(await list("stale=false")).toEqual(["fresh"]);
    expect(await list("group=web")).toEqual(["fresh", "never"]);
    expect(await list("group=db&stale=true")).toEqual(["behind", "never"]);
    expect(await list("mode=audit")).toEqual(["never"]);

    const bad = await api("GET", "/api/nodes?mode=loud&stale=maybe&group=-x", {
      key: org.readKey,
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["query.group", "query.mode", "query.stale"]);
  });

  it("gets one node, never another org's", async () => {
    const [org, other] = await Promise.all([newOrg(), newOrg()]);
    const [node] = await insertNodes(org.orgId, [{ name: "one", labels: { rack: "r1" } }]);
    const got = await api("GET", `/api/nodes/${node!.id}`, { key: org.readKey });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: node!.id, name: "one", labels: { rack: "r1" } });
    const foreign = await api("GET", `/api/nodes/${node!.id}`, { key: other.adminKey });
    expect(foreign.status).toBe(404);
    expect((await api("GET", "/api/nodes", { key: other.adminKey })).body.nodes).toEqual([]);
  });
});

describe("PATCH /api/nodes/{id}", () => {
  it("a mode change sends node_updated to that node only, bumps the revision, writes one audit row", async () => {
    const org = await newOrg();
    const [a, b] = await insertNodes(org.orgId, [{ groups: ["a"] }, { groups: ["b"] }]);
    await insertPolicy(org.orgId, [{ src: "group:a", dst: "group:b", port: 22, protocol: "tcp" }]);
    const auditBefore = (await auditOf(org.orgId)).length;

    const res = await api("PATCH", `/api/nodes/${a!.id}`, {
      key: org.adminKey,
      body: { mode: "audit", labels: { env: "prod" } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: "audit", labels: { env: "prod" } });
    expect(res.body.status.desired_revision).toBe(1);
    expect((await orgCounters(org.orgId)).revision).toBe(1);

    const events = await eventsOf(org.orgId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "node_updated", revision: 1, nodeIds: [a!.id] });
    expect(events[0]!.payload).toMatchObject({ node: { id: a!.id, mode: "audit" } });

    const audit = await auditOf(org.orgId);
    expect(audit).toHaveLength(auditBefore + 1);
    expect(audit.at(-1)).toMatchObject({
      action: "node.update",
      targetType: "node",
      targetId: a!.id,
      actorId: org.adminKeyId,
      before: { mode: "enforce", labels: {} },
      after: { mode: "audit", labels: { env: "prod" } },
    });
    // The peer is untouched: it was not told anything.
    const peer = await api("GET", `/api/nodes/${b!.id}`, { key: org.readKey });
    expect(peer.body.status.desired_revision).toBe(0);

    // A rename changes what peers configure: they get peer_updated.
    await api("PATCH", `/api/nodes/${b!.id}`, { key: org.adminKey, body: { name: "db-1" } });
    const renamed = await eventsOf(org.orgId, events[0]!.seq);
    expect(renamed.map((e) => [e.type, e.nodeIds])).toEqual([
      ["node_updated", [b!.id]],
      ["peer_updated", [a!.id]],
    ]);
    expect(renamed[1]!.payload).toMatchObject({ peer: { id: b!.id, name: "db-1" } });
  });

  it("a groups change sends snapshot_required to the node and peer events to who gains or loses it", async () => {
    const org = await newOrg();
    const [a, b1, b2, c] = await insertNodes(org.orgId, [
      { name: "a", groups: ["a"] },
      { name: "b1", groups: ["b"] },
      { name: "b2", groups: ["b"] },
      { name: "c", groups: ["c"] },
    ]);
    await insertPolicy(org.orgId, [{ src: "group:a", dst: "group:b", port: 443, protocol: "tcp" }]);

    // c joins group a: it now sees b1 and b2, and they see it.
    const res = await api("PATCH", `/api/nodes/${c!.id}`, {
      key: org.adminKey,
      body: { groups: ["c", "a"] },
    });
    expect(res.status).toBe(200);
    expect(res.body.groups).toEqual(["c", "a"]);
    const events = await eventsOf(org.orgId);
    const snapshot = events.filter((e) => e.type === "snapshot_required");
    expect(snapshot).toEqual([expect.objectContaining({ nodeIds: [c!.id] })]);
    const added = events.filter((e) => e.type === "peer_added");
    const toC = added.filter((e) => e.nodeIds?.includes(c!.id));
    expect(sorted(toC.map((e) => (e.payload.peer as { id: string }).id))).toEqual(
      sorted([b1!.id, b2!.id]),
    );
    const aboutC = added.find((e) => (e.payload.peer as { id: string }).id === c!.id);
    expect(aboutC!.nodeIds).toEqual(sorted([b1!.id, b2!.id]));
    expect(events.some((e) => e.nodeIds?.includes(a!.id))).toBe(false);
    expect(events.some((e) => e.type === "peer_removed")).toBe(false);
  });

  it("writes nothing for a patch that changes nothing, and validates each field", async () => {
    const org = await newOrg();
    const [n] = await insertNodes(org.orgId, [{ name: "n", groups: ["x", "y"] }]);
    const same = await api("PATCH", `/api/nodes/${n!.id}`, {
      key: org.adminKey,
      body: { name: "n", groups: ["y", "x"] },
    });
    expect(same.status).toBe(200);
    expect((await orgCounters(org.orgId)).revision).toBe(0);

    const bad = await api("PATCH", `/api/nodes/${n!.id}`, {
      key: org.adminKey,
      body: { name: " ", mode: "loud", groups: ["ok", "no spaces"], labels: { "": "v" }, x: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    const paths = bad.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["body.groups[1]", "body.labels.", "body.mode", "body.name", "body.x"]);
    expect((await orgCounters(org.orgId)).revision).toBe(0);

    const missing = await api("PATCH", `/api/nodes/${crypto.randomUUID()}`, {
      key: org.adminKey,
      body: { mode: "off" },
    });
    expect(missing.status).toBe(404);
    expect((await orgCounters(org.orgId)).revision).toBe(0);
  });
});

describe("DELETE /api/nodes/{id}", () => {
  it("removes the node, sends peer_removed to its former peers only, and audits", async () => {
    const org = await newOrg();
    const [gone, peer1, peer2, stranger] = await insertNodes(org.orgId, [
      { groups: ["a"] },
      { groups: ["b"] },
      { groups: ["b"] },
      { groups: ["c"] },
    ]);
    await insertPolicy(org.orgId, [
      { src: "group:a", dst: "group:b", port: 22, protocol: "tcp" },
      { src: "group:c", dst: "group:b", action: "deny" },
    ]);
    // The node's open stream (its Hub bridge) is closed once it is deleted.
    const socket = await hubClient(env as never).connect(
      org.orgId,
      gone!.id,
      "test-credential-hash",
    );
    const closed = new Promise<number>((resolve) =>
      socket.addEventListener("close", (e) => resolve(e.code)),
    );
    const res = await api("DELETE", `/api/nodes/${gone!.id}`, { key: org.adminKey });
    expect(res.status).toBe(200);
    expect(await closed).toBe(4001);
    expect(res.body).toEqual({ id: gone!.id, deleted: true, revision: 1 });

    const events = await eventsOf(org.orgId);
    expect(events).toEqual([
      expect.objectContaining({
        type: "peer_removed",
        revision: 1,
        nodeIds: sorted([peer1!.id, peer2!.id]),
        payload: { peer_id: gone!.id },
      }),
    ]);
    expect(events[0]!.nodeIds).not.toContain(stranger!.id);
    expect((await api("GET", `/api/nodes/${gone!.id}`, { key: org.readKey })).status).toBe(404);
    const audit = await auditOf(org.orgId);
    expect(audit.at(-1)).toMatchObject({
      action: "node.delete",
      targetId: gone!.id,
      before: { id: gone!.id, groups: ["a"] },
      after: null,
    });
    const again = await api("DELETE", `/api/nodes/${gone!.id}`, { key: org.adminKey });
    expect(again.status).toBe(404);
    expect((await orgCounters(org.orgId)).revision).toBe(1);
  });
});
