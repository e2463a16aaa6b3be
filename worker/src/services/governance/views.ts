import type { regoPolicies } from "@tether/schema/tables";
import type { EdgePolicy } from "@tether/schema/wire";
import type { NewEvent } from "../events.ts";

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

/** The nodes a change concerns: both versions' targets; either untargeted → every node. */
function concerned(...rows: (RegoPolicyRow | null)[]): string[] | null {
  const present = rows.filter((r): r is RegoPolicyRow => r !== null);
  if (present.some((r) => r.targetNodes.length === 0)) return null;
  return [...new Set(present.flatMap((r) => r.targetNodes))];
}

export function updatedEvent(
  id: string,
  before: RegoPolicyRow | null,
  after: RegoPolicyRow | null,
): NewEvent {
  return {
    type: "rego_policy_updated",
    nodeIds: concerned(before, after),
    payload: { policy_id: id, policy: wirePolicy(after) },
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
