import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { meshPolicies } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { existingNodes, MeshPolicy, toMeshPolicy } from "./mesh-policies.schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/mesh/policies",
  summary: "List the org's mesh policies",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  responses: {
    200: {
      description: "Policies, oldest first (the order agents evaluate them in)",
      content: { "application/json": { schema: z.object({ policies: z.array(MeshPolicy) }) } },
    },
    ...errorResponses,
  },
});

export function registerListMeshPolicies(app: App): void {
  app.openapi(route, async (c) => {
    const { db } = c.var.services;
    const orgId = c.var.principal.orgId;
    const rows = await db
      .select()
      .from(meshPolicies)
      .where(eq(meshPolicies.orgId, orgId))
      .orderBy(asc(meshPolicies.createdAt), asc(meshPolicies.id));
    const known = await existingNodes(db, orgId, rows);
    return c.json({ policies: rows.map((r) => toMeshPolicy(r, known)) }, 200);
  });
}
