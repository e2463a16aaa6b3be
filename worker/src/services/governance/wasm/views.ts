import type { wasmPolicies } from "@tether/schema/tables";
import type { EdgeWasmPolicy } from "@tether/schema/wire";
import type { NewEvent } from "../../events.ts";

export type WasmPolicyRow = typeof wasmPolicies.$inferSelect;

/** What agents receive about a Wasm policy: the active version (hash, not bytes), or null. */
export function wireWasmPolicy(row: WasmPolicyRow | null): EdgeWasmPolicy | null {
  if (row?.status !== "active") return null;
  return {
    kind: "wasm",
    id: row.id,
    name: row.name,
    entrypoints: row.entrypoints,
    sha256: row.sha256,
    size_bytes: row.sizeBytes,
    version: row.version,
    revision: row.revision,
    mode: row.mode,
    target_nodes: row.targetNodes,
  };
}

/** The nodes a change concerns: both versions' targets; either untargeted → every node. */
function concerned(...rows: (WasmPolicyRow | null)[]): string[] | null {
  const present = rows.filter((r): r is WasmPolicyRow => r !== null);
  if (present.some((r) => r.targetNodes.length === 0)) return null;
  return [...new Set(present.flatMap((r) => r.targetNodes))];
}

/** `rego_policy_updated`, the event of every governance policy kind (the payload's `kind` tells). */
export function wasmUpdatedEvent(
  id: string,
  before: WasmPolicyRow | null,
  after: WasmPolicyRow | null,
): NewEvent {
  return {
    type: "rego_policy_updated",
    nodeIds: concerned(before, after),
    payload: { policy_id: id, policy: wireWasmPolicy(after) },
  };
}

/** The audit trail's view: the module by hash and size, never its bytes. */
export const wasmAuditView = (r: WasmPolicyRow) => ({
  id: r.id,
  kind: "wasm",
  name: r.name,
  entrypoints: r.entrypoints,
  sha256: r.sha256,
  size_bytes: r.sizeBytes,
  version: r.version,
  status: r.status,
  mode: r.mode,
  target_apps: r.targetApps,
  target_nodes: r.targetNodes,
});
