import { describe, expect, it } from "vitest";
import { applyEvent } from "./apply-event.ts";
import { NODE_ID, PEER_A, PEER_B, sampleState } from "./test-state.ts";

const policy = {
  id: "00000000-0000-4000-8000-0000000000p1".replace("p", "f"),
  name: "web",
  description: "",
  rules: [
    { src: "*", dst: NODE_ID, port: 443, protocol: "tcp" as const, action: "allow" as const },
  ],
  version: 1,
  revision: 2,
};
const peerB = { ...sampleState().peers[0]!, id: PEER_B, name: "b", mesh_ip: "10.100.0.11" };

describe("applyEvent", () => {
  it("upserts and deletes policies, moving revision and seq", () => {
    const s0 = sampleState();
    const r1 = applyEvent(s0, {
      type: "policy_updated",
      seq: 7,
      payload: { revision: 2, policy_id: policy.id, policy },
    });
    expect(r1.kind).toBe("changed");
    if (r1.kind !== "changed") return;
    expect(r1.state.policies).toEqual([policy]);
    expect(r1.state).toMatchObject({ revision: 2, seq: 7 });
    const updated = { ...policy, version: 2, revision: 3 };
    const r2 = applyEvent(r1.state, {
      type: "policy_updated",
      seq: 8,
      payload: { revision: 3, policy_id: policy.id, policy: updated },
    });
    expect(r2.kind === "changed" && r2.state.policies).toEqual([updated]);
    const r3 = applyEvent(r1.state, {
      type: "policy_updated",
      seq: 9,
      payload: { revision: 4, policy_id: policy.id, policy: null },
    });
    expect(r3.kind === "changed" && r3.state.policies).toEqual([]);
    expect(s0.policies).toEqual([]); // pure
  });

  it("adds, updates and removes peers", () => {
    const s0 = sampleState();
    const added = applyEvent(s0, {
      type: "peer_added",
      seq: 2,
      payload: { revision: 2, peer: peerB },
    });
    expect(added.kind === "changed" && added.state.peers.map((p) => p.id)).toEqual([
      PEER_A,
      PEER_B,
    ]);
    const renamed = { ...sampleState().peers[0]!, name: "renamed" };
    const upd = applyEvent(s0, {
      type: "peer_updated",
      seq: 2,
      payload: { revision: 2, peer: renamed },
    });
    expect(upd.kind === "changed" && upd.state.peers).toEqual([renamed]);
    const rm = applyEvent(s0, {
      type: "peer_removed",
      seq: 2,
      payload: { revision: 2, peer_id: PEER_A },
    });
    expect(rm.kind === "changed" && rm.state.peers).toEqual([]);
  });

  it("changes this node's mode and groups, not another node's", () => {
    const s0 = sampleState();
    const node = { id: NODE_ID, name: "n1", mode: "audit", groups: ["db"] };
    const r = applyEvent(s0, { type: "node_updated", seq: 2, payload: { revision: 2, node } });
    expect(r.kind === "changed" && r.state.node).toMatchObject({ mode: "audit", groups: ["db"] });
    const other = applyEvent(s0, {
      type: "node_updated",
      seq: 2,
      payload: { revision: 2, node: { ...node, id: PEER_A } },
    });
    expect(other.kind).toBe("unchanged");
  });

  it("replaces the signing keys on rotation", () => {
    const keys = [{ key_id: "k2", public_key: "x", status: "active", retires_at: null }];
    const r = applyEvent(sampleState(), {
      type: "signing_key_rotated",
      seq: 2,
      payload: { revision: 2, keys },
    });
    expect(r.kind === "changed" && r.state.signing_keys).toEqual(keys);
  });

  it("asks for a refetch on snapshot_required and ignores rego events", () => {
    expect(
      applyEvent(sampleState(), {
        type: "snapshot_required",
        seq: 9,
        payload: { revision: 0, reason: "gap" },
      }),
    ).toEqual({ kind: "refetch", reason: "gap" });
    expect(
      applyEvent(sampleState(), { type: "rego_policy_updated", seq: 9, payload: { revision: 5 } })
        .kind,
    ).toBe("unchanged");
  });

  it("refuses a malformed payload and names the field", () => {
    const r = applyEvent(sampleState(), {
      type: "peer_added",
      seq: 2,
      payload: { revision: 2, peer: { id: 1 } },
    });
    expect(r).toMatchObject({ kind: "invalid" });
    expect(r.kind === "invalid" && r.reason).toMatch(/^peer_added payload: peer\.id:/);
  });
});
