import { createRoute } from "@hono/zod-openapi";
import { meshPolicies } from "@tether/schema/tables";
import { and, eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { meshWrite } from "../services/mesh/write.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";
import { policyAuditView } from "./mesh-policies.schemas.ts";
import { Deleted } from "./nodes.schemas.ts";

const route = createRoute({
  method: "delete",
  path: "/api/mesh/policies/{id}",
  summary: "Delete a mesh policy",
  description:
    "Bumps the org revision; the nodes its rules named get `policy_updated` (with `policy: null`) and `peer_removed` for peers no other allow rule keeps visible.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "Deleted", content: { "application/json": { schema: Deleted } } },
    ...errorResponses,
  },
});

export function registerDeleteMeshPolicy(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const principal = c.var.principal;
    const orgId = principal.orgId;
    const { revision } = await meshWrite(
      c,
      orgId,
      { type: "api_key", id: principal.keyId },
      async (s) => {
        const [before] = await s.tx
          .delete(meshPolicies)
          .where(and(eq(meshPolicies.id, id), eq(meshPolicies.orgId, orgId)))
          .returning();
        if (!before) throw new ApiError("not_found", `no mesh policy ${id} in this org`);
        return {
          result: null,
          audit: {
            action: "mesh_policy.delete",
            targetType: "mesh_policy",
            targetId: id,
            before: policyAuditView(before),
            after: null,
          },
          changed: { policies: [id] },
          policiesAfter: s.before.policies.filter((p) => p.id !== id),
        };
      },
    );
    return c.json({ id, deleted: true as const, revision }, 200);
  });
}
