import { wasmPolicies } from "@tether/schema/tables";
import type { EdgeWasmPolicy } from "@tether/schema/wire";
import type { PolicyKindViews } from "../policy-kind.ts";

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

/** Wasm policies as the shared policy scaffolding (policy-kind.ts, policy-write.ts) sees them. */
export const WASM: PolicyKindViews<typeof wasmPolicies> = {
  label: "Wasm",
  table: wasmPolicies,
  auditType: "wasm_policy",
  auditView: wasmAuditView,
  wire: wireWasmPolicy,
};
