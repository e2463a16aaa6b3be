import { describe, expect, it } from "vitest";
import { api, newOrg } from "../../test/fixtures.ts";
import { auditOf, eventsOf, insertNodes, orgCounters, sorted } from "../../test/mesh-fixtures.ts";

const peerId = (e: { payload: Record<string, unknown> }) =>
  (e.payload.peer as { id: string } | undefined)?.id ?? (e.payload.peer_id as string);

/** `peer id → sorted viewer ids` for the events of one type. */
function byPeer(
  events: { type: string; nodeIds: string[] | null; payload: Record<string, unknown> }[],
  type: string,
) {
  return Object.fromEntries(
    events.filter((e) => e.type === type).map((e) => [peerId(e), sorted(e.nodeIds ?? [])]),
  );
}

describe("/api/mesh/policies", () => {
  it("creates, reads, replaces and deletes a policy; each write bumps the revision once and writes one audit row", async () => {
    const org = await newOrg();
    const [web] = await insertNodes(org.orgId, [{ groups: ["web"] }]);
    const auditBase = (await auditOf(org.orgId)).length;
    const body = {
      name: "web to db",
      description: "postgres from the web tier",
      rules: [
        { src: "group:web", dst: "group:db", port: 5432, protocol: "tcp", action: "allow" },
        { src: web!.id, dst: "*", port: "8000-8100", protocol: "udp", action: "deny" },
        { src: "*", dst: "group:db", action: "deny" },
      ],
    };
    const created = await api("POST", "/api/mesh/policies", { key: org.adminKey, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "web to db",
      description: "postgres from the web tier",
      version: 1,
      revision: 1,
      warnings: [],
    });
    expect(created.body.rules[2]).toEqual({
      src: "*",
      dst: "group:db",
      port: 0,
      protocol: "",
      action: "deny",
    });
    const id = created.body.id as string;

    const got = await api("GET", `/api/mesh/policies/${id}`, { key: org.readKey });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    const listed = await api("GET", "/api/mesh/policies", { key: org.readKey });
    expect(listed.body.policies).toEqual([created.body]);

    const replaced = await api("PUT", `/api/mesh/policies/${id}`, {
      key: org.adminKey,
      body: { name: "web to db v2", rules: [{ src: "*", dst: "*", action: "allow" }] },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      id,
      name: "web to db v2",
      description: "",
      version: 2,
      revision: 2,
      created_at: created.body.created_at,
    });
    expect(replaced.body.rules).toHaveLength(1);

    // The same body again (key order differs) writes nothing: no version, revision, event or audit.
    const seqBefore = (await orgCounters(org.orgId)).eventSeq;
    const again = await api("PUT", `/api/mesh/policies/${id}`, {
      key: org.adminKey,
      body: {
        rules: [{ action: "allow", dst: "*", src: "*", protocol: "", port: 0 }],
        name: "web to db v2",
      },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(replaced.body);
    expect(await orgCounters(org.orgId)).toEqual({ revision: 2, eventSeq: seqBefore });

    const deleted = await api("DELETE", `/api/mesh/policies/${id}`, { key: org.adminKey });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id, deleted: true, revision: 3 });
    expect((await api("GET", `/api/mesh/policies/${id}`, { key: org.readKey })).status).toBe(404);
    expect((await api("DELETE", `/api/mesh/policies/${id}`, { key: org.adminKey })).status).toBe(
      404,
    );
    expect((await orgCounters(org.orgId)).revision).toBe(3);

    const audit = (await auditOf(org.orgId)).slice(auditBase);
    expect(audit.map((a) => a.action)).toEqual([
      "mesh_policy.create",
      "mesh_policy.update",
      "mesh_policy.delete",
    ]);
    expect(audit[0]).toMatchObject({ targetId: id, before: null, after: { version: 1 } });
    expect(audit[1]).toMatchObject({
      before: { name: "web to db", version: 1 },
      after: { name: "web to db v2", version: 2, revision: 2 },
    });
    expect(audit[2]).toMatchObject({ before: { version: 2 }, after: null });
    expect(audit.every((a) => a.actorId === org.adminKeyId)).toBe(true);
  });

  it("returns each of the seed's error texts at body.rules[i].<field>, and stores nothing", async () => {
    const org = await newOrg();
    const res = await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: {
        name: "bad",
        rules: [
          { src: "*", dst: "*", action: "permit" },
          { src: "*", dst: "*", port: 70000, protocol: "tcp", action: "allow" },
          { src: "*", dst: "*", protocol: "icmp", action: "allow" },
          { src: "*", dst: "*", port: 22, action: "allow" },
          { src: "group:ok", dst: "nobody", action: "allow" },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details).toEqual([
      { path: "body.rules[0].action", message: 'policy: firewall rule: invalid action "permit"' },
      { path: "body.rules[1].port", message: "policy: firewall rule: invalid port 70000" },
      { path: "body.rules[2].protocol", message: 'policy: firewall rule: invalid protocol "icmp"' },
      { path: "body.rules[3].port", message: "policy: firewall rule: port 22 requires a protocol" },
      {
        path: "body.rules[4].dst",
        message: 'policy: firewall rule: invalid dst "nobody": want a node id, group:<name> or *',
      },
    ]);
    expect((await api("GET", "/api/mesh/policies", { key: org.readKey })).body.policies).toEqual(
      [],
    );
    expect(await orgCounters(org.orgId)).toEqual({ revision: 0, eventSeq: 0 });
  });

  it("answers 409 for a name taken in the org, but not for one taken in another org", async () => {
    const [org, other] = await Promise.all([newOrg(), newOrg()]);
    const rules = [{ src: "*", dst: "*", action: "deny" }];
    const first = await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: { name: "base", rules },
    });
    const second = await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: { name: "extra", rules },
    });
    const dup = await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: { name: "base", rules },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("conflict");
    expect(dup.body.error.message).toContain('"base"');
    const rename = await api("PUT", `/api/mesh/policies/${second.body.id}`, {
      key: org.adminKey,
      body: { name: "base", rules },
    });
    expect(rename.status).toBe(409);
    const keep = await api("PUT", `/api/mesh/policies/${first.body.id}`, {
      key: org.adminKey,
      body: { name: "base", description: "same name, new text", rules },
    });
    expect(keep.status).toBe(200);
    const elsewhere = await api("POST", "/api/mesh/policies", {
      key: other.adminKey,
      body: { name: "base", rules },
    });
    expect(elsewhere.status).toBe(201);
    expect((await orgCounters(org.orgId)).revision).toBe(3);
    const foreign = await api("PUT", `/api/mesh/policies/${first.body.id}`, {
      key: other.adminKey,
      body: { name: "x", rules },
    });
    expect(foreign.status).toBe(404);
  });

  it("accepts a rule naming an unknown node id and warns about it", async () => {
    const org = await newOrg();
    const [known] = await insertNodes(org.orgId, [{}]);
    const ghost = crypto.randomUUID();
    const res = await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: {
        name: "ghosts",
        rules: [
          { src: known!.id, dst: "*", action: "deny" },
          { src: "group:x", dst: "*", action: "deny" },
          { src: known!.id, dst: ghost, port: 22, protocol: "tcp", action: "allow" },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.warnings).toEqual([`rules[2].dst: no node ${ghost} in this org`]);
    const got = await api("GET", `/api/mesh/policies/${res.body.id}`, { key: org.readKey });
    expect(got.body.warnings).toEqual(res.body.warnings);
    // The known node gets the policy but no peer: the unknown id names nobody.
    const events = await eventsOf(org.orgId);
    expect(events.map((e) => e.type)).toEqual(["policy_updated"]);
    // The org's only node is concerned: the event goes to every node (null).
    expect(events[0]!.nodeIds ?? [known!.id]).toEqual([known!.id]);
  });
});

describe("mesh policy events", () => {
  it("a deny-only rule sends policy_updated to the named nodes and grants no peer", async () => {
    const org = await newOrg();
    const [a, b, c] = await insertNodes(org.orgId, [{}, {}, { groups: ["x"] }]);
    const res = await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: { name: "deny", rules: [{ src: a!.id, dst: b!.id, action: "deny" }] },
    });
    expect(res.status).toBe(201);
    const events = await eventsOf(org.orgId);
    expect(events).toEqual([
      expect.objectContaining({
        type: "policy_updated",
        revision: 1,
        nodeIds: sorted([a!.id, b!.id]),
      }),
    ]);
    expect(events[0]!.payload).toMatchObject({ policy_id: res.body.id, policy: { version: 1 } });
    const nodes = await api("GET", "/api/nodes", { key: org.readKey });
    const desired = Object.fromEntries(
      nodes.body.nodes.map((n: { id: string; status: { desired_revision: number } }) => [
        n.id,
        n.status.desired_revision,
      ]),
    );
    expect(desired).toEqual({ [a!.id]: 1, [b!.id]: 1, [c!.id]: 0 });
  });

  it("an event for every node raises every node's desired revision (one org row, not a row per node)", async () => {
    const org = await newOrg();
    const [a, b, c] = await insertNodes(org.orgId, [{}, {}, {}]);
    const everyone = await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: {
        name: "all",
        rules: [{ src: "*", dst: "*", port: 22, protocol: "tcp", action: "deny" }],
      },
    });
    expect((await eventsOf(org.orgId))[0]!.nodeIds).toBeNull();
    const onlyA = await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: {
        name: "a",
        rules: [{ src: a!.id, dst: b!.id, port: 23, protocol: "tcp", action: "deny" }],
      },
    });
    const nodes = await api("GET", "/api/nodes", { key: org.readKey });
    const desired = Object.fromEntries(
      nodes.body.nodes.map((n: { id: string; status: { desired_revision: number } }) => [
        n.id,
        n.status.desired_revision,
      ]),
    );
    expect(desired).toEqual({
      [a!.id]: onlyA.body.revision,
      [b!.id]: onlyA.body.revision,
      [c!.id]: everyone.body.revision,
    });
    const one = await api("GET", `/api/nodes/${c!.id}`, { key: org.readKey });
    expect(one.body.status.desired_revision).toBe(everyone.body.revision);
  });

  it("an allow between groups adds peers both ways; replacing it by a deny removes them; deleting it tells the named nodes", async () => {
    const org = await newOrg();
    const [a1, a2, b1, c1] = await insertNodes(org.orgId, [
      { groups: ["a"] },
      { groups: ["a"] },
      { groups: ["b"] },
      { groups: ["c"] },
    ]);
    const allow = { src: "group:a", dst: "group:b", port: 443, protocol: "tcp", action: "allow" };
    const created = await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: { name: "a-b", rules: [allow] },
    });
    const named = sorted([a1!.id, a2!.id, b1!.id]);
    let events = await eventsOf(org.orgId);
    expect(events.filter((e) => e.type === "policy_updated").map((e) => e.nodeIds)).toEqual([
      named,
    ]);
    expect(byPeer(events, "peer_added")).toEqual({
      [a1!.id]: [b1!.id],
      [a2!.id]: [b1!.id],
      [b1!.id]: sorted([a1!.id, a2!.id]),
    });
    expect(events.some((e) => e.nodeIds?.includes(c1!.id))).toBe(false);
    const added = events.find((e) => e.type === "peer_added" && peerId(e) === b1!.id)!;
    expect(added.payload.peer).toEqual({
      id: b1!.id,
      name: b1!.name,
      public_key: b1!.publicKey,
      mesh_ip: b1!.meshIp,
      endpoint: null,
      groups: ["b"],
    });

    let seq = events.at(-1)!.seq;
    await api("PUT", `/api/mesh/policies/${created.body.id}`, {
      key: org.adminKey,
      body: { name: "a-b", rules: [{ ...allow, action: "deny" }] },
    });
    events = await eventsOf(org.orgId, seq);
    expect(events.every((e) => e.revision === 2)).toBe(true);
    const updated = events.filter((e) => e.type === "policy_updated");
    expect(updated.map((e) => e.nodeIds)).toEqual([named]);
    expect(byPeer(events, "peer_removed")).toEqual({
      [a1!.id]: [b1!.id],
      [a2!.id]: [b1!.id],
      [b1!.id]: sorted([a1!.id, a2!.id]),
    });
    expect(events.some((e) => e.type === "peer_added")).toBe(false);

    seq = events.at(-1)!.seq;
    await api("DELETE", `/api/mesh/policies/${created.body.id}`, { key: org.adminKey });
    events = await eventsOf(org.orgId, seq);
    expect(events).toEqual([
      expect.objectContaining({
        type: "policy_updated",
        nodeIds: named,
        payload: { policy_id: created.body.id, policy: null },
      }),
    ]);
  });
});
