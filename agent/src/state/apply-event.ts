import {
  type EventType,
  type NodeState,
  RegoPolicyUpdated,
  targetsNode,
} from "@tether/schema/wire";
import { z } from "zod";
import { MeshPolicySchema, NodeModeSchema, PeerSchema, SigningKeyInfoSchema } from "./schema.ts";

/** A verified event: its type, sequence number and parsed payload. */
export interface VerifiedEvent {
  type: EventType;
  seq: number;
  payload: unknown;
}

export type ApplyResult =
  | { kind: "changed"; state: NodeState }
  /** Nothing the agent enforces changed (still moves `seq`/`revision`). */
  | { kind: "unchanged"; state: NodeState }
  | { kind: "refetch"; reason: string }
  | { kind: "invalid"; reason: string };

const revision = z.object({ revision: z.number().int() });
const payloads = {
  policy_updated: revision.extend({ policy_id: z.string(), policy: MeshPolicySchema.nullable() }),
  peer_added: revision.extend({ peer: PeerSchema }),
  peer_updated: revision.extend({ peer: PeerSchema }),
  peer_removed: revision.extend({ peer_id: z.string() }),
  node_updated: revision.extend({
    node: z.object({
      id: z.string(),
      name: z.string(),
      mode: NodeModeSchema,
      groups: z.array(z.string()),
    }),
  }),
  rego_policy_updated: RegoPolicyUpdated,
  signing_key_rotated: revision.extend({ keys: z.array(SigningKeyInfoSchema).min(1) }),
  snapshot_required: z.object({ reason: z.string().optional() }).loose(),
} as const;

/**
 * The desired state after one verified event (pure). Unknown or malformed
 * payloads leave the state as it was.
 *
 * @example
 * const r = applyEvent(state, { type: "peer_removed", seq: 8, payload: { revision: 5, peer_id } });
 * if (r.kind === "changed") store(r.state);
 */
export function applyEvent(state: NodeState, event: VerifiedEvent): ApplyResult {
  if (event.type === "snapshot_required") {
    const p = payloads.snapshot_required.safeParse(event.payload);
    return { kind: "refetch", reason: (p.success && p.data.reason) || "snapshot required" };
  }
  if (event.type === "ping") {
    return { kind: "unchanged", state: advance(state, event.seq, undefined) };
  }
  const schema = payloads[event.type];
  const parsed = schema.safeParse(event.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: "invalid",
      reason: `${event.type} payload: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
    };
  }
  const p = parsed.data as Record<string, unknown> & { revision: number };
  const next = advance(state, event.seq, p.revision);
  switch (event.type) {
    case "policy_updated": {
      const { policy_id, policy } = p as z.infer<typeof payloads.policy_updated>;
      const policies = next.policies.filter((x) => x.id !== policy_id);
      if (policy) policies.push(policy);
      policies.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return { kind: "changed", state: { ...next, policies } };
    }
    case "peer_added":
    case "peer_updated": {
      const { peer } = p as z.infer<typeof payloads.peer_added>;
      if (peer.id === state.node.id) return { kind: "unchanged", state: next };
      const peers = next.peers.filter((x) => x.id !== peer.id);
      peers.push(peer);
      return { kind: "changed", state: { ...next, peers } };
    }
    case "peer_removed": {
      const { peer_id } = p as z.infer<typeof payloads.peer_removed>;
      return {
        kind: "changed",
        state: { ...next, peers: next.peers.filter((x) => x.id !== peer_id) },
      };
    }
    case "node_updated": {
      const { node } = p as z.infer<typeof payloads.node_updated>;
      if (node.id !== state.node.id) return { kind: "unchanged", state: next };
      const { name, mode, groups } = node;
      return { kind: "changed", state: { ...next, node: { ...next.node, name, mode, groups } } };
    }
    case "rego_policy_updated": {
      // The event goes to the old and the new targets: keep it only if it targets this node.
      const { policy_id, policy } = p as z.infer<typeof payloads.rego_policy_updated>;
      const kept = policy !== null && targetsNode(policy, state.node.id) ? policy : null;
      const others = next.rego_policies.filter((x) => x.id !== policy_id);
      if (!kept && others.length === next.rego_policies.length) {
        return { kind: "unchanged", state: next };
      }
      const rego_policies = kept ? [...others, kept] : others;
      rego_policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { kind: "changed", state: { ...next, rego_policies } };
    }
    case "signing_key_rotated": {
      const { keys } = p as z.infer<typeof payloads.signing_key_rotated>;
      return { kind: "changed", state: { ...next, signing_keys: keys } };
    }
  }
}

function advance(state: NodeState, seq: number, rev: number | undefined): NodeState {
  return {
    ...state,
    seq: Math.max(state.seq, seq),
    revision: rev === undefined ? state.revision : Math.max(state.revision, rev),
  };
}
