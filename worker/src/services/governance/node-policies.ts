import { regoPolicies, wasmPolicies } from "@tether/schema/tables";
import type { EdgePolicy } from "@tether/schema/wire";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Tx } from "../audit.ts";
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
    .where(
      and(
        eq(regoPolicies.orgId, orgId),
        eq(regoPolicies.status, "active"),
        sql`(${regoPolicies.targetNodes} = '[]'::jsonb or ${regoPolicies.targetNodes} @> ${JSON.stringify([nodeId])}::jsonb)`,
      ),
    )
    .orderBy(asc(regoPolicies.name));
  const wasm = await tx
    .select()
    .from(wasmPolicies)
    .where(
      and(
        eq(wasmPolicies.orgId, orgId),
        eq(wasmPolicies.status, "active"),
        sql`(${wasmPolicies.targetNodes} = '[]'::jsonb or ${wasmPolicies.targetNodes} @> ${JSON.stringify([nodeId])}::jsonb)`,
      ),
    )
    .orderBy(asc(wasmPolicies.name));
  return [...rows.map(wirePolicy), ...wasm.map(wireWasmPolicy)].filter(
    (p): p is EdgePolicy => p !== null,
  );
}
