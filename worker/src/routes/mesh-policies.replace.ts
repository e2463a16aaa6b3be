import { createRoute } from "@hono/zod-openapi";
import { meshPolicies } from "@tether/schema/tables";
import type { MeshRule } from "@tether/schema/wire";
import { and, eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { meshPolicyOf } from "../services/mesh/model.ts";
import { meshWrite } from "../services/mesh/write.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";
import { refuseTakenName } from "./mesh-policies.create.ts";
import {
  existingNodes,
  MeshPolicy,
  MeshPolicyInput,
  policyAuditView,
  toMeshPolicy,
  WARNINGS_DESCRIPTION,
} from "./mesh-policies.schemas.ts";

const route = createRoute({
  method: "put",
  path: "/api/mesh/policies/{id}",
  summary: "Replace a mesh policy's name, description and rules",
  description: `A full replace: omitted \`description\` becomes empty; a body equal to the stored policy writes nothing. \`version\` goes up by one and the org revision is bumped; the nodes named by the old or new rules get \`policy_updated\`, and whoever gains or loses a peer gets \`peer_added\`/\`peer_removed\`. ${WARNINGS_DESCRIPTION}`,
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: {
    params: UuidParam,
    body: { required: true, content: { "application/json": { schema: MeshPolicyInput } } },
  },
  responses: {
    200: { description: "Replaced", content: { "application/json": { schema: MeshPolicy } } },
    409: { ...errorResponses[400], description: "Another policy has this name" },
    ...errorResponses,
  },
});

export function registerReplaceMeshPolicy(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const principal = c.var.principal;
    const orgId = principal.orgId;
    const { db } = c.var.services;
    const inOrg = and(eq(meshPolicies.id, id), eq(meshPolicies.orgId, orgId));
    const written = await meshWrite(
      c,
      orgId,
      { type: "api_key", id: principal.keyId },
      async (s) => {
        // The org's policies were read under the org lock: no need to read them again.
        const before = s.before.policies.find((p) => p.id === id);
        if (!before) throw new ApiError("not_found", `no mesh policy ${id} in this org`);
        // Re-applying the same policy (CI on every deploy) must not churn every
        // agent: the transaction is rolled back, revision bump included.
        if (samePolicy(before, body)) throw new Unchanged();
        refuseTakenName(s.before.policies, body.name, id);
        const [after] = await s.tx
          .update(meshPolicies)
          .set({
            name: body.name,
            description: body.description,
            rules: body.rules,
            version: before.version + 1,
            revision: s.revision,
            updatedAt: s.at,
          })
          .where(inOrg)
          .returning();
        return {
          result: toMeshPolicy(after!, new Set(s.before.nodes.byId.keys())),
          audit: {
            action: "mesh_policy.update",
            targetType: "mesh_policy",
            targetId: id,
            before: policyAuditView(before),
            after: policyAuditView(after!),
          },
          policiesAfter: s.before.policies.map((p) => (p.id === id ? meshPolicyOf(after!) : p)),
          changed: { policies: [id] },
        };
      },
    ).catch((err: unknown) => {
      if (err instanceof Unchanged) return null;
      throw err;
    });
    if (written) return c.json(written.result, 200);
    const [current] = await db.select().from(meshPolicies).where(inOrg);
    if (!current) throw new ApiError("not_found", `no mesh policy ${id} in this org`);
    return c.json(toMeshPolicy(current, await existingNodes(db, orgId, [current])), 200);
  });
}

/** Thrown inside the write when the body equals the stored policy: nothing to write. */
class Unchanged extends Error {}

type PolicyFields = { name: string; description: string; rules: readonly MeshRule[] };

/** Field by field: jsonb does not keep the key order a rule was written with. */
function samePolicy(a: PolicyFields, b: PolicyFields): boolean {
  const tuple = (r: MeshRule) => JSON.stringify([r.src, r.dst, r.port, r.protocol, r.action]);
  return (
    a.name === b.name &&
    a.description === b.description &&
    a.rules.length === b.rules.length &&
    a.rules.every((r, i) => tuple(r) === tuple(b.rules[i]!))
  );
}
