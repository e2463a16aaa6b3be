import { createRoute } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { meshPolicies } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";
import {
  existingNodes,
  MeshPolicy,
  toMeshPolicy,
  WARNINGS_DESCRIPTION,
} from "./mesh-policies.schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/mesh/policies/{id}",
  summary: "Get one mesh policy",
  description: WARNINGS_DESCRIPTION,
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "The policy", content: { "application/json": { schema: MeshPolicy } } },
    ...errorResponses,
  },
});

export function registerGetMeshPolicy(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { db } = c.var.services;
    const orgId = c.var.principal.orgId;
    const [row] = await db
      .select()
      .from(meshPolicies)
      .where(and(eq(meshPolicies.id, id), eq(meshPolicies.orgId, orgId)));
    if (!row) throw new ApiError("not_found", `no mesh policy ${id} in this org`);
    return c.json(toMeshPolicy(row, await existingNodes(db, orgId, [row])), 200);
  });
}
