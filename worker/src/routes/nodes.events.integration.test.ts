import { describe, expect, it } from "vitest";
import {
  EventStream,
  enrollToken,
  pruneAllEvents,
  register,
  verifyEnvelope,
} from "../../test/agent-fixtures.ts";
import { api, newOrg } from "../../test/fixtures.ts";

async function mesh(size: number, groups: (i: number) => string[] = () => []) {
  const org = await newOrg();
  const nodes = [];
  for (let i = 0; i < size; i++) {
    nodes.push(await register(await enrollToken(org.orgId, { groups: groups(i) }), `n${i}`));
  }
  return { org, nodes };
}

const policy = (key: string, name: string, rules: unknown[]) =>
  api("POST", "/api/mesh/policies", { key, body: { name, rules } });

describe("GET /v1/nodes/{id}/events", () => {
  it("delivers signed events to exactly the nodes they concern", async () => {
    const { org, nodes } = await mesh(3);
    const [a, b, c] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
    const streams = await Promise.all(nodes.map((n) => EventStream.open(n)));
    const created = await policy(org.adminKey, "a-to-b", [
      { src: a.id, dst: b.id, port: 443, protocol: "tcp", action: "allow" },
    ]);
    expect(created.status).toBe(201);
    for (const [stream, self, peer] of [
      [streams[0]!, a, b],
      [streams[1]!, b, a],
    ] as const) {
      const frames = [await stream.next(), await stream.next()];
      const types = frames.map((f) => f.event).sort();
      expect(types).toEqual(["peer_added", "policy_updated"]);
      for (const f of frames) {
        const envelope = JSON.parse(f.data);
        expect(envelope.seq).toBe(f.id);
        expect(await verifyEnvelope(envelope, self.keys)).toBe(true);
        const payload = JSON.parse(envelope.payload);
        expect(payload.revision).toBe(created.body.revision);
        if (f.event === "peer_added") expect(payload.peer.id).toBe(peer.id);
      }
    }
    await streams[2]!.expectSilence(400); // c is not named by the rule
    expect(c.id).toBeTruthy();
    await Promise.all(streams.map((s) => s.close()));
  });

  it("rejects a tampered envelope on verification", async () => {
    const { org, nodes } = await mesh(2);
    const stream = await EventStream.open(nodes[0]!);
    await policy(org.adminKey, "p", [
      { src: "*", dst: "*", port: 0, protocol: "", action: "deny" },
    ]);
    const envelope = JSON.parse((await stream.next()).data);
    expect(await verifyEnvelope(envelope, nodes[0]!.keys)).toBe(true);
    expect(
      await verifyEnvelope(
        { ...envelope, payload: envelope.payload.replace("deny", "allow") },
        nodes[0]!.keys,
      ),
    ).toBe(false);
    expect(await verifyEnvelope({ ...envelope, seq: envelope.seq + 1 }, nodes[0]!.keys)).toBe(
      false,
    );
    await stream.close();
  });

  it("resumes with Last-Event-ID after a disconnect without missing an event", async () => {
    const { org, nodes } = await mesh(2, () => ["g"]);
    const [a] = nodes;
    const first = await EventStream.open(a!);
    await policy(org.adminKey, "p1", [
      { src: "group:g", dst: "group:g", port: 22, protocol: "tcp", action: "allow" },
    ]);
    const seen = [await first.next(), await first.next()];
    const last = Math.max(...seen.map((f) => f.id!));
    await first.close();
    // Written while a is away.
    const p2 = await policy(org.adminKey, "p2", [
      { src: a!.id, dst: "*", port: 80, protocol: "tcp", action: "allow" },
    ]);
    const p3 = await policy(org.adminKey, "p3", [
      { src: "*", dst: a!.id, port: 81, protocol: "tcp", action: "allow" },
    ]);
    const resumed = await EventStream.open(a!, last);
    const replayed = [await resumed.next(), await resumed.next()];
    expect(replayed.map((f) => f.event)).toEqual(["policy_updated", "policy_updated"]);
    const ids = replayed.map((f) => JSON.parse(JSON.parse(f.data).payload).policy_id);
    expect(ids).toEqual([p2.body.id, p3.body.id]);
    expect(replayed[0]!.id! > last && replayed[1]!.id! > replayed[0]!.id!).toBe(true);
    for (const f of replayed) expect(await verifyEnvelope(JSON.parse(f.data), a!.keys)).toBe(true);
    // And live events keep coming after the replay.
    await policy(org.adminKey, "p4", [
      { src: a!.id, dst: "*", port: 82, protocol: "tcp", action: "deny" },
    ]);
    expect((await resumed.next()).event).toBe("policy_updated");
    await resumed.close();
  });

  it("replays a missed key rotation signed by the key the node trusts, then events under the new key", async () => {
    const { org, nodes } = await mesh(1);
    const a = nodes[0]!;
    const first = await EventStream.open(a);
    await policy(org.adminKey, "p0", [
      { src: a.id, dst: "*", port: 1, protocol: "tcp", action: "deny" },
    ]);
    const last = (await first.next()).id!;
    await first.close();
    expect((await api("POST", "/api/signing-keys/rotate", { key: org.adminKey })).status).toBe(200);
    await policy(org.adminKey, "p1", [
      { src: a.id, dst: "*", port: 2, protocol: "tcp", action: "deny" },
    ]);
    const resumed = await EventStream.open(a, last);
    const rotation = JSON.parse((await resumed.next()).data);
    expect(rotation.event_type).toBe("signing_key_rotated");
    expect(await verifyEnvelope(rotation, a.keys)).toBe(true);
    const trusted = JSON.parse(rotation.payload).keys;
    const update = JSON.parse((await resumed.next()).data);
    expect(update.event_type).toBe("policy_updated");
    expect(await verifyEnvelope(update, a.keys)).toBe(false);
    expect(await verifyEnvelope(update, trusted)).toBe(true);
    await resumed.close();
  });

  it("answers snapshot_required when the resume point is older than what is kept", async () => {
    const { org, nodes } = await mesh(1);
    await policy(org.adminKey, "p1", [
      { src: "*", dst: "*", port: 0, protocol: "", action: "deny" },
    ]);
    await policy(org.adminKey, "p2", [
      { src: "*", dst: "*", port: 1, protocol: "tcp", action: "deny" },
    ]);
    await pruneAllEvents(org.orgId);
    const stream = await EventStream.open(nodes[0]!, 0);
    const frame = await stream.next();
    expect(frame.event).toBe("snapshot_required");
    const envelope = JSON.parse(frame.data);
    expect(await verifyEnvelope(envelope, nodes[0]!.keys)).toBe(true);
    expect(JSON.parse(envelope.payload).reason).toMatch(/no longer kept/);
    await stream.close();
  });

  it("cleans up the Hub bridge promptly when the agent disconnects", async () => {
    const { org, nodes } = await mesh(1);
    const connected = async () =>
      (await api("GET", "/api/hub/connections", { key: org.readKey })).body.connections.map(
        (c: { node_id: string }) => c.node_id,
      );
    const stream = await EventStream.open(nodes[0]!);
    expect(await connected()).toEqual([nodes[0]!.id]);
    await stream.close();
    const deadline = Date.now() + 3000;
    while ((await connected()).length > 0) {
      if (Date.now() > deadline) throw new Error("the bridge socket outlived the stream");
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it("sends a retry hint first and keeps a node's stream to itself", async () => {
    const { org, nodes } = await mesh(2);
    const stream = await EventStream.open(nodes[0]!);
    await policy(org.adminKey, "p", [
      { src: "*", dst: "*", port: 0, protocol: "", action: "deny" },
    ]);
    await stream.next();
    expect(stream.fields).toContain("retry: 3000");
    await stream.close();
    expect(await fetchStatus(nodes[0]!.id, nodes[1]!.credential)).toBe(403);
  });

  it("coalesces a burst: the newest version of a policy arrives last, never a stale one after it", async () => {
    const { org, nodes } = await mesh(1);
    const stream = await EventStream.open(nodes[0]!);
    const created = await policy(org.adminKey, "burst", [
      { src: nodes[0]!.id, dst: "*", port: 1000, protocol: "tcp", action: "deny" },
    ]);
    const writes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api("PUT", `/api/mesh/policies/${created.body.id}`, {
          key: org.adminKey,
          body: {
            name: "burst",
            rules: [
              { src: nodes[0]!.id, dst: "*", port: 1001 + i, protocol: "tcp", action: "deny" },
            ],
          },
        }),
      ),
    );
    expect(writes.every((w) => w.status === 200)).toBe(true);
    const newest = Math.max(...writes.map((w) => w.body.version));
    const versions: number[] = [];
    for (;;) {
      const f = await stream.next(3000);
      const payload = JSON.parse(JSON.parse(f.data).payload);
      versions.push(payload.policy.version);
      if (payload.policy.version === newest) break;
    }
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    await stream.expectSilence(300);
    await stream.close();
  });
});

async function fetchStatus(nodeId: string, credential: string): Promise<number> {
  const res = await api("GET", `/v1/nodes/${nodeId}/events`, { key: credential });
  return res.status;
}
