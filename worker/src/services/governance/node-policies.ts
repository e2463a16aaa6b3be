import { regoPolicies } from "@tether/schema/tables";
import type { EdgePolicy } from "@tether/schema/wire";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Tx } from "../audit.ts";
import { wirePolicy } from "./views.ts";

/**
 * The active policies a node enforces: those naming it in `target_nodes`
 * and the untargeted ones (every node), as agents receive them.
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
  return rows.map(wirePolicy).filter((p): p is EdgePolicy => p !== null);
}
