import { eq } from "drizzle-orm";
import { orgs } from "@tether/schema/tables";
import type { NodeState } from "@tether/schema/wire";
import { ApiError } from "../../errors.ts";
import type { Database } from "../db.ts";
import { policiesForNode } from "../governance/node-policies.ts";
import { trustedKeys } from "../signing.ts";
import { loadMesh, stateFor } from "./model.ts";

/**
 * A node's desired state, read in one repeatable-read snapshot so its
 * revision, event sequence and contents agree.
 */
export async function readNodeState(
  db: Database,
  orgId: string,
  nodeId: string,
  now: Date,
): Promise<NodeState> {
  return db.transaction(
    async (tx) => {
      const [org] = await tx
        .select({ revision: orgs.revision, seq: orgs.eventSeq, meshCidr: orgs.meshCidr })
        .from(orgs)
        .where(eq(orgs.id, orgId));
      if (!org) throw new ApiError("not_found", "the node's org no longer exists");
      const mesh = await loadMesh(tx, orgId);
      const node = mesh.nodes.byId.get(nodeId);
      if (!node) throw new ApiError("unauthorized", "the node no longer exists");
      const keys = await trustedKeys(tx, orgId, now);
      const regoPolicies = await policiesForNode(tx, orgId, nodeId);
      return stateFor(mesh, node, { ...org, signingKeys: keys }, regoPolicies);
    },
    { isolationLevel: "repeatable read" },
  );
}
