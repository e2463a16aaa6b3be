import { regoPolicies, wasmPolicies } from "@tether/schema/tables";
import type { EdgePolicy } from "@tether/schema/wire";
import { and, asc } from "drizzle-orm";
import type { Tx } from "../audit.ts";
import { activeInOrg, reachesNode } from "./policy-kind.ts";
import { wirePolicy } from "./views.ts";
import { wireWasmPolicy } from "./wasm/views.ts";

/**
 * The active policies a node enforces: those naming it in `target_nodes`
 * and the untargeted ones (every node), as agents receive them: Rego
 * modules by name, then Wasm policies (by hash; the node fetches the bytes
 * from `/v1/nodes/{id}/policies/{policyId}/wasm`) by name.
 */
export async function policiesForNode(
  tx: Tx,
  orgId: string,
  nodeId: string,
): Promise<EdgePolicy[]> {
  const rows = await tx
    .select()
    .from(regoPolicies)
    .where(and(activeInOrg(regoPolicies, orgId), reachesNode(regoPolicies, nodeId)))
    .orderBy(asc(regoPolicies.name));
  const wasm = await tx
    .select()
    .from(wasmPolicies)
    .where(and(activeInOrg(wasmPolicies, orgId), reachesNode(wasmPolicies, nodeId)))
    .orderBy(asc(wasmPolicies.name));
  return [...rows.map(wirePolicy), ...wasm.map(wireWasmPolicy)].filter(
    (p): p is EdgePolicy => p !== null,
  );
}
