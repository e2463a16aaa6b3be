import { describe, expect, it } from "vitest";
import {
  AgentSocket,
  enrollToken,
  pruneAllEvents,
  register,
  verifyEnvelope,
} from "../../test/agent-fixtures.ts";
import { api, newOrg } from "../../test/fixtures.ts";

/** The WebSocket transport of GET /v1/nodes/{id}/events: events down, status acks up. */

async function mesh(size: number) {
  const org = await newOrg();
  const nodes = [];
  for (let i = 0; i < size; i++) nodes.push(await register(await enrollToken(org.orgId), `w${i}`));
  return { org, nodes };
}

const policy = (key: string, name: string, rules: unknown[]) =>
  api("POST", "/api/mesh/policies", { key, body: { name, rules } });

const report = (revision: number) => ({
  applied_revision: revision,
  ruleset_hash: "sha256:abc",
  peer_count: 1,
  mode: "enforce",
});

describe("GET /v1/nodes/{id}/events over a WebSocket", () => {
  it("delivers signed events to exactly the nodes they concern", async () => {
    const { org, nodes } = await mesh(3);
    const [a, b, c] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
    const sockets = await Promise.all(nodes.map((n) => AgentSocket.open(n)));
    const created = await policy(org.adminKey, "a-to-b", [
      { src: a.id, dst: b.id, port: 443, protocol: "tcp", action: "allow" },
    ]);
    expect(created.status).toBe(201);
    for (const [socket, self] of [
      [sockets[0]!, a],
      [sockets[1]!, b],
    ] as const) {
      const frames = [await socket.next(), await socket.next()];
      expect(frames.map((f) => f.event).sort()).toEqual(["peer_added", "policy_updated"]);
      for (const f of frames) {
        const envelope = JSON.parse(f.data);
        expect(envelope.seq).toBe(f.id);
        expect(await verifyEnvelope(envelope, self.keys)).toBe(true);
        expect(JSON.parse(envelope.payload).revision).toBe(created.body.revision);
      }
    }
    await sockets[2]!.expectSilence(400);
    expect(c.id).toBeTruthy();
    for (const s of sockets) s.close();
  });

  it("records a status ack sent up the socket and answers status_ack once it is durable", async () => {
    const { org, nodes } = await mesh(1);
    const socket = await AgentSocket.open(nodes[0]!);
    const created = await policy(org.adminKey, "p", [
      { src: "*", dst: "*", port: 22, protocol: "tcp", action: "deny" },
    ]);
    const revision = created.body.revision as number;
    await socket.nextOf(["policy_updated"]);
    socket.send({ type: "status", id: "ack-1", report: report(revision) });
    const ack = await socket.nextOf(["status_ack"]);
    expect(JSON.parse(ack.data)).toEqual({ id: "ack-1", desired_revision: revision, stale: false });
    const node = await api("GET", `/api/nodes/${nodes[0]!.id}`, { key: org.readKey });
    expect(node.body.status.applied_revision).toBe(revision);
    expect(node.body.status.ruleset_hash).toBe("sha256:abc");
    expect(node.body.stale).toBe(false);
    socket.close();
  });

  it("answers a malformed status with status_error naming the field, and records nothing", async () => {
    const { org, nodes } = await mesh(1);
    const socket = await AgentSocket.open(nodes[0]!);
    socket.send({ type: "status", id: "bad-1", report: { ...report(1), peer_count: -3 } });
    const error = JSON.parse((await socket.nextOf(["status_error"])).data);
    expect(error).toMatchObject({ id: "bad-1", code: "validation_failed" });
    expect(error.message).toMatch(/^report\.peer_count: /);
    socket.send("{not json");
    expect(JSON.parse((await socket.nextOf(["status_error"])).data).message).toBe("malformed JSON");
    const node = await api("GET", `/api/nodes/${nodes[0]!.id}`, { key: org.readKey });
    expect(node.body.status.applied_revision).toBeNull();
    socket.close();
  });

  it("resumes with Last-Event-ID: the missed events first, then live ones, none twice", async () => {
    const { org, nodes } = await mesh(1);
    const a = nodes[0]!;
    const first = await AgentSocket.open(a);
    await policy(org.adminKey, "p1", [
      { src: a.id, dst: "*", port: 1, protocol: "tcp", action: "deny" },
    ]);
    const last = (await first.nextOf(["policy_updated"])).id!;
    first.close();
    const p2 = await policy(org.adminKey, "p2", [
      { src: a.id, dst: "*", port: 2, protocol: "tcp", action: "deny" },
    ]);
    const p3 = await policy(org.adminKey, "p3", [
      { src: "*", dst: a.id, port: 3, protocol: "tcp", action: "deny" },
    ]);
    const resumed = await AgentSocket.open(a, last);
    const replayed = [await resumed.next(), await resumed.next()];
    expect(replayed.map((f) => JSON.parse(JSON.parse(f.data).payload).policy_id)).toEqual([
      p2.body.id,
      p3.body.id,
    ]);
    for (const f of replayed) expect(await verifyEnvelope(JSON.parse(f.data), a.keys)).toBe(true);
    const p4 = await policy(org.adminKey, "p4", [
      { src: a.id, dst: "*", port: 4, protocol: "tcp", action: "deny" },
    ]);
    const live = await resumed.next();
    expect(JSON.parse(JSON.parse(live.data).payload).policy_id).toBe(p4.body.id);
    expect(live.id!).toBeGreaterThan(replayed[1]!.id!);
    await resumed.expectSilence(300);
    resumed.close();
  });

  it("answers snapshot_required when the resume point is no longer kept", async () => {
    const { org, nodes } = await mesh(1);
    await policy(org.adminKey, "p1", [
      { src: "*", dst: "*", port: 1, protocol: "tcp", action: "deny" },
    ]);
    await pruneAllEvents(org.orgId);
    const socket = await AgentSocket.open(nodes[0]!, 0);
    const frame = await socket.next();
    expect(frame.event).toBe("snapshot_required");
    expect(await verifyEnvelope(JSON.parse(frame.data), nodes[0]!.keys)).toBe(true);
    socket.close();
  });

  it("answers the keep-alive ping with pong", async () => {
    const { nodes } = await mesh(1);
    const socket = await AgentSocket.open(nodes[0]!);
    socket.send("ping");
    const deadline = Date.now() + 3000;
    while (!socket.other.includes("pong")) {
      if (Date.now() > deadline) throw new Error("no pong");
      await new Promise((r) => setTimeout(r, 20));
    }
    socket.close();
  });

  it("refuses an upgrade without a credential, or with another node's", async () => {
    const { nodes } = await mesh(2);
    const none = await AgentSocket.upgrade({ id: nodes[0]!.id, credential: "" });
    expect(none.status).toBe(401);
    const other = await AgentSocket.upgrade({ id: nodes[0]!.id, credential: nodes[1]!.credential });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  });

  it("closes the socket of a deleted node", async () => {
    const { org, nodes } = await mesh(1);
    const socket = await AgentSocket.open(nodes[0]!);
    const deleted = await api("DELETE", `/api/nodes/${nodes[0]!.id}`, { key: org.adminKey });
    expect(deleted.status).toBe(200);
    const deadline = Date.now() + 3000;
    while (!socket.closed) {
      if (Date.now() > deadline) throw new Error("the socket outlived its node");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(socket.closed.code).toBe(4001);
  });
});
