import { regoPolicies } from "@tether/schema/tables";
import type { EdgePolicy } from "@tether/schema/wire";
import type { PolicyKindViews } from "./policy-kind.ts";

type RegoPolicyRow = typeof regoPolicies.$inferSelect;

/**
 * What agents receive about a policy (node state and `rego_policy_updated`):
 * the active version, or null (drop it).
 */
export function wirePolicy(row: RegoPolicyRow | null): EdgePolicy | null {
  if (row?.status !== "active") return null;
  return {
    kind: "rego",
    id: row.id,
    name: row.name,
    package_path: row.packagePath,
    source: row.source,
    version: row.version,
    revision: row.revision,
    mode: row.mode,
    target_nodes: row.targetNodes,
  };
}

export const auditView = (r: RegoPolicyRow) => ({
  id: r.id,
  name: r.name,
  package_path: r.packagePath,
  source: r.source,
  tests: r.tests,
  version: r.version,
  status: r.status,
  mode: r.mode,
  target_apps: r.targetApps,
  target_nodes: r.targetNodes,
});

/** Rego modules as the shared policy scaffolding (policy-kind.ts, policy-write.ts) sees them. */
export const REGO: PolicyKindViews<typeof regoPolicies> = {
  label: "Rego",
  table: regoPolicies,
  auditType: "rego_policy",
  auditView,
  wire: wirePolicy,
};
