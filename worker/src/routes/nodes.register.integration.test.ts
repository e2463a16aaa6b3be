import { describe, expect, it } from "vitest";
import { enrollToken, register, wireguardKey } from "../../test/agent-fixtures.ts";
import { api, newOrg } from "../../test/fixtures.ts";

describe("POST /v1/register", () => {
  it("enrolls a node: id, mesh IP, credential, signing keys and its state", async () => {
    const org = await newOrg();
    const token = await enrollToken(org.orgId, { groups: ["web"] });
    const node = await register(token, "web-1");
    expect(node.meshIp).toBe("10.100.0.1");
    expect(node.credential).toMatch(/^tk_node_/);
    expect(node.keys).toHaveLength(1);
    expect(node.keys[0]!.public_key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(node.body.state.node).toMatchObject({
      id: node.id,
      mesh_ip: "10.100.0.1",
      mode: "enforce",
      groups: ["web"],
    });
    expect(node.body.state.peers).toEqual([]);
    const state = await api("GET", `/v1/nodes/${node.id}/state`, { key: node.credential });
    expect(state.status).toBe(200);
    expect(state.body.node.id).toBe(node.id);
  });

  it("refuses a used one-time token, an expired one, a revoked-looking one and a bad key", async () => {
    const org = await newOrg();
    const once = await enrollToken(org.orgId);
    await register(once, "a");
    const reused = await api("POST", "/v1/register", {
      headers: { authorization: `Bearer ${once}` },
      body: { public_key: wireguardKey(), hostname: "b" },
    });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe("token_used");

    const expired = await enrollToken(org.orgId, { expiresAt: new Date(Date.now() - 1000) });
    const late = await api("POST", "/v1/register", {
      headers: { authorization: `Bearer ${expired}` },
      body: { public_key: wireguardKey(), hostname: "c" },
    });
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe("token_expired");

    const unknown = await api("POST", "/v1/register", {
      headers: { authorization: "Bearer tk_enroll_doesnotexistdoesnotexistdoesnotexist00" },
      body: { public_key: wireguardKey(), hostname: "d" },
    });
    expect(unknown.status).toBe(401);

    const good = await enrollToken(org.orgId);
    const badKey = await api("POST", "/v1/register", {
      headers: { authorization: `Bearer ${good}` },
      body: { public_key: "not-a-key", hostname: "e" },
    });
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.details[0]).toMatchObject({ path: "body.public_key" });
    // The refused registration did not spend the token.
    await register(good, "f");
  });

  it("allocates distinct mesh IPs under 50 concurrent registrations", async () => {
    const org = await newOrg();
    const token = await enrollToken(org.orgId, { reusable: true });
    const nodes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => register(token, `n-${i}`)),
    );
    const ips = nodes.map((n) => n.meshIp);
    expect(new Set(ips).size).toBe(50);
    expect(ips.every((ip) => /^10\.100\.0\.([1-9]|[1-4]\d|50)$/.test(ip))).toBe(true);
  });

  it("honours max_uses of a reusable token", async () => {
    const org = await newOrg();
    const token = await enrollToken(org.orgId, { reusable: true, maxUses: 2 });
    await register(token, "a");
    await register(token, "b");
    const third = await api("POST", "/v1/register", {
      headers: { authorization: `Bearer ${token}` },
      body: { public_key: wireguardKey(), hostname: "c" },
    });
    expect(third.status).toBe(401);
    expect(third.body.error.code).toBe("token_used");
  });
});

describe("node credential routes", () => {
  it("reject no credential (401), another node's id (403), and a deleted node (401)", async () => {
    const org = await newOrg();
    const token = await enrollToken(org.orgId, { reusable: true });
    const [a, b] = await Promise.all([register(token, "a"), register(token, "b")]);
    const ack = { applied_revision: 0, peer_count: 0, mode: "enforce" };
    for (const path of ["state", "heartbeat", "status", "events", "deregister"]) {
      const method = path === "state" || path === "events" ? "GET" : "POST";
      const body = path === "status" ? { body: ack } : {};
      const none = await api(method, `/v1/nodes/${a.id}/${path}`, body);
      expect(none.status, path).toBe(401);
      const admin = await api(method, `/v1/nodes/${a.id}/${path}`, { key: org.adminKey, ...body });
      expect(admin.status, path).toBe(401);
      const other = await api(method, `/v1/nodes/${a.id}/${path}`, { key: b.credential, ...body });
      expect(other.status, path).toBe(403);
    }
    const left = await api("POST", `/v1/nodes/${b.id}/deregister`, { key: b.credential });
    expect(left.status).toBe(200);
    const after = await api("GET", `/v1/nodes/${b.id}/state`, { key: b.credential });
    expect(after.status).toBe(401);
  });

  it("records status acks and heartbeats", async () => {
    const org = await newOrg();
    const node = await register(await enrollToken(org.orgId), "a");
    const ack = await api("POST", `/v1/nodes/${node.id}/status`, {
      key: node.credential,
      body: {
        applied_revision: node.body.state.revision,
        ruleset_hash: "abc",
        peer_count: 0,
        mode: "enforce",
      },
    });
    expect(ack.status).toBe(200);
    expect(ack.body.stale).toBe(false);
    const bad = await api("POST", `/v1/nodes/${node.id}/status`, {
      key: node.credential,
      body: { applied_revision: -1, peer_count: "x", mode: "loud" },
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["body.applied_revision", "body.mode", "body.peer_count"]);
    const beat = await api("POST", `/v1/nodes/${node.id}/heartbeat`, { key: node.credential });
    expect(beat.status).toBe(200);
    expect(beat.body.seq).toBeGreaterThanOrEqual(0);
  });
});
