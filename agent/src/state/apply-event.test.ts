import type { EdgeRegoPolicy } from "@tether/schema/wire";
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

  it("asks for a refetch on snapshot_required", () => {
    expect(
      applyEvent(sampleState(), {
        type: "snapshot_required",
        seq: 9,
        payload: { revision: 0, reason: "gap" },
      }),
    ).toEqual({ kind: "refetch", reason: "gap" });
  });

  it("keeps the Rego policies that target this node, drops deleted, drafted and retargeted ones", () => {
    const rego = (over: Partial<EdgeRegoPolicy> = {}): EdgeRegoPolicy => ({
      kind: "rego",
      id: "00000000-0000-4000-8000-0000000000c1",
      name: "sandbox",
      package_path: "tether.sandbox",
      source: "package tether.sandbox\n",
      version: 1,
      revision: 5,
      mode: "audit",
      target_nodes: [],
      ...over,
    });
    const event = (seq: number, policy: EdgeRegoPolicy | null, id = rego().id) => ({
      type: "rego_policy_updated" as const,
      seq,
      payload: { revision: seq, policy_id: id, policy },
    });
    const s0 = sampleState();
    const added = applyEvent(s0, event(9, rego()));
    expect(added.kind).toBe("changed");
    if (added.kind !== "changed") return;
    expect(added.state.rego_policies).toEqual([rego()]);
    expect(added.state).toMatchObject({ revision: 9, seq: 9 });
    expect(s0.rego_policies).toEqual([]); // pure

    // Another policy sorts by name; a new version replaces the old one.
    const other = rego({ id: "00000000-0000-4000-8000-0000000000c2", name: "aaa" });
    const two = applyEvent(added.state, event(10, other, other.id));
    const v2 = rego({ version: 2, mode: "enforce", target_nodes: [NODE_ID] });
    const replaced = applyEvent(two.kind === "changed" ? two.state : s0, event(11, v2));
    expect(replaced.kind === "changed" && replaced.state.rego_policies).toEqual([other, v2]);
    if (replaced.kind !== "changed") return;

    // Retargeted to another node: this node drops it.
    const away = applyEvent(
      replaced.state,
      event(12, rego({ version: 3, target_nodes: [PEER_A] })),
    );
    expect(away.kind === "changed" && away.state.rego_policies).toEqual([other]);
    // Deleted or made a draft (policy: null): dropped; dropping an unknown one changes nothing.
    const gone = applyEvent(replaced.state, event(13, null));
    expect(gone.kind === "changed" && gone.state.rego_policies).toEqual([other]);
    const unknown = applyEvent(s0, event(14, null, "00000000-0000-4000-8000-0000000000c9"));
    expect(unknown).toMatchObject({ kind: "unchanged", state: { seq: 14, revision: 14 } });
    const notMine = applyEvent(s0, event(15, rego({ target_nodes: [PEER_B] })));
    expect(notMine.kind).toBe("unchanged");

    const bad = applyEvent(s0, {
      type: "rego_policy_updated",
      seq: 16,
      payload: { revision: 16, policy_id: "x", policy: { kind: "rego", id: "x" } },
    });
    expect(bad.kind === "invalid" && bad.reason).toMatch(/^rego_policy_updated payload: policy\./);
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
