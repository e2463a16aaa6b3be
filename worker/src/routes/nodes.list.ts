import { createRoute, z } from "@hono/zod-openapi";
import { nodes } from "@tether/schema/tables";
import { GROUP_NAME, NODE_MODES } from "@tether/schema/wire";
import { and, asc, eq, sql } from "drizzle-orm";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { nodeColumns } from "../services/node-row.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import { Node, STALE_DESCRIPTION, toNode } from "./nodes.schemas.ts";

const Query = z.object({
  group: z
    .string()
    .regex(GROUP_NAME, "must be a group name")
    .optional()
    .openapi({ description: "Only nodes in this group" }),
  mode: z
    .enum(NODE_MODES, { error: `must be one of ${NODE_MODES.join(", ")}` })
    .optional()
    .openapi({ description: "Only nodes set to this mode" }),
  stale: z
    .enum(["true", "false"], { error: "must be true or false" })
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "true"))
    .openapi({ description: "Only stale (true) or up-to-date (false) nodes" }),
});

const route = createRoute({
  method: "get",
  path: "/api/nodes",
  summary: "List the mesh's nodes: who runs what, and who is stale",
  description: STALE_DESCRIPTION,
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "Nodes, by mesh IP",
      content: { "application/json": { schema: z.object({ nodes: z.array(Node) }) } },
    },
    ...errorResponses,
  },
});

export function registerListNodes(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const { db, now } = c.var.services;
    const at = now();
    const rows = await db
      .select(nodeColumns)
      .from(nodes)
      .where(
        and(
          eq(nodes.orgId, c.var.principal.orgId),
          query.group === undefined
            ? undefined
            : sql`${nodes.groups} @> ${JSON.stringify([query.group])}::jsonb`,
          query.mode === undefined ? undefined : eq(nodes.mode, query.mode),
        ),
      )
      // inet ordering puts 10.100.0.10 after 10.100.0.9, as an operator expects.
      .orderBy(sql`${nodes.meshIp}::inet`, asc(nodes.id));
    const list = rows.map((r) => toNode(r, at));
    const stale = query.stale;
    return c.json(
      { nodes: stale === undefined ? list : list.filter((n) => n.stale === stale) },
      200,
    );
  });
}
