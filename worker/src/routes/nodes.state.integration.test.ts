import { describe, expect, it } from "vitest";
import { enrollToken, register } from "../../test/agent-fixtures.ts";
import { api, newOrg } from "../../test/fixtures.ts";

describe("GET /v1/nodes/{id}/state", () => {
  it("returns only the peers and policies that concern the node", async () => {
    const org = await newOrg();
    const web = await register(await enrollToken(org.orgId, { groups: ["web"] }), "web");
    const db = await register(await enrollToken(org.orgId, { groups: ["db"] }), "db");
    const lone = await register(await enrollToken(org.orgId), "lone");
    const peersOf = async (n: typeof web) =>
      (await api("GET", `/v1/nodes/${n.id}/state`, { key: n.credential })).body;

    // Deny by default.
    expect((await peersOf(web)).peers).toEqual([]);

    // Deny-only grants nothing, but the policy concerns the nodes it names.
    await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: {
        name: "deny",
        rules: [{ src: "group:web", dst: "group:db", port: 0, protocol: "", action: "deny" }],
      },
    });
    const afterDeny = await peersOf(web);
    expect(afterDeny.peers).toEqual([]);
    expect(afterDeny.policies.map((p: { name: string }) => p.name)).toEqual(["deny"]);
    expect((await peersOf(lone)).policies).toEqual([]);

    // An allow between groups is visible from both sides; the lone node sees nobody.
    await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: {
        name: "web-db",
        rules: [
          { src: "group:web", dst: "group:db", port: 5432, protocol: "tcp", action: "allow" },
        ],
      },
    });
    const w = await peersOf(web);
    expect(w.peers.map((p: { id: string }) => p.id)).toEqual([db.id]);
    expect(w.peers[0]).toMatchObject({ mesh_ip: db.meshIp, groups: ["db"] });
    expect((await peersOf(db)).peers.map((p: { id: string }) => p.id)).toEqual([web.id]);
    expect((await peersOf(lone)).peers).toEqual([]);

    // * reaches everyone.
    await api("POST", "/api/mesh/policies", {
      key: org.adminKey,
      body: {
        name: "lone-all",
        rules: [{ src: lone.id, dst: "*", port: 22, protocol: "tcp", action: "allow" }],
      },
    });
    const l = await peersOf(lone);
    expect(l.peers.map((p: { id: string }) => p.id).sort()).toEqual([web.id, db.id].sort());
    expect(l.revision).toBeGreaterThan(w.revision);
    expect(l.signing_keys).toHaveLength(1);
  });
});

describe("GET /v1/nodes/{id}/state: Rego policies", () => {
  const source = (pkg: string) => `package ${pkg}\n\nallow if input.ok\n`;

  it("carries the active policies that target the node, untargeted ones included; drafts never", async () => {
    const org = await newOrg();
    const token = await enrollToken(org.orgId, { reusable: true });
    const a = await register(token, "a");
    const b = await register(token, "b");
    const create = async (name: string, extra: Record<string, unknown>) => {
      const res = await api("POST", "/api/opa/policies", {
        key: org.adminKey,
        body: { name, source: source(`edge.${name}`), status: "active", ...extra },
      });
      expect(res.status).toBe(201);
      return res.body as { id: string; revision: number; version: number };
    };
    const everyone = await create("everyone", { mode: "enforce" });
    const onlyA = await create("only_a", { target_nodes: [a.id] });
    await create("only_b", { target_nodes: [b.id] });
    await create("draft", { status: "draft" });

    const stateOf = async (n: typeof a) =>
      (await api("GET", `/v1/nodes/${n.id}/state`, { key: n.credential })).body;
    const sa = await stateOf(a);
    expect(sa.rego_policies).toEqual([
      {
        kind: "rego",
        id: everyone.id,
        name: "everyone",
        package_path: "edge.everyone",
        source: source("edge.everyone"),
        version: 1,
        revision: everyone.revision,
        mode: "enforce",
        target_nodes: [],
      },
      expect.objectContaining({
        id: onlyA.id,
        mode: "audit",
        revision: onlyA.revision,
        target_nodes: [a.id],
      }),
    ]);
    const sb = await stateOf(b);
    expect(sb.rego_policies.map((p: { name: string }) => p.name)).toEqual(["everyone", "only_b"]);

    // A node enrolled now gets the untargeted ones in its register answer.
    const c = await register(token, "c");
    expect(c.body.state.rego_policies.map((p: { name: string }) => p.name)).toEqual(["everyone"]);
  });
});
