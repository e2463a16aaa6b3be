import { createRoute } from "@hono/zod-openapi";
import { nodes } from "@tether/schema/tables";
import { and, eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { nodeColumns } from "../services/node-row.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";
import { Node, STALE_DESCRIPTION, toNode } from "./nodes.schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/nodes/{id}",
  summary: "Get one node with its last acknowledged status",
  description: STALE_DESCRIPTION,
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "The node", content: { "application/json": { schema: Node } } },
    ...errorResponses,
  },
});

export function registerGetNode(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { db, now } = c.var.services;
    const [row] = await db
      .select(nodeColumns)
      .from(nodes)
      .where(and(eq(nodes.id, id), eq(nodes.orgId, c.var.principal.orgId)));
    if (!row) throw new ApiError("not_found", `no node ${id} in this org`);
    return c.json(toNode(row, now()), 200);
  });
}
