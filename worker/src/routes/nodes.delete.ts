import { createRoute } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { nodes } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { meshWrite } from "../services/mesh/write.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";
import { Deleted, nodeAuditView } from "./nodes.schemas.ts";

const route = createRoute({
  method: "delete",
  path: "/api/nodes/{id}",
  summary: "Remove a node from the mesh",
  description:
    "Every node that saw it as a peer gets `peer_removed`; its credential stops working and its event stream is closed.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "Deleted", content: { "application/json": { schema: Deleted } } },
    ...errorResponses,
  },
});

export function registerDeleteNode(app: App): void {
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
          .delete(nodes)
          .where(and(eq(nodes.id, id), eq(nodes.orgId, orgId)))
          .returning();
        if (!before) throw new ApiError("not_found", `no node ${id} in this org`);
        return {
          result: null,
          audit: {
            action: "node.delete",
            targetType: "node",
            targetId: id,
            before: nodeAuditView(before),
            after: null,
          },
          changed: { nodes: [id] },
        };
      },
    );
    // The row is gone, so a reconnect fails auth; closing the open stream is a courtesy.
    await c.var.services.hub.disconnect(orgId, id, "node deleted").catch((err: unknown) => {
      console.error(
        JSON.stringify({
          level: "warn",
          msg: "hub disconnect failed after node deletion",
          org_id: orgId,
          node_id: id,
          request_id: c.var.requestId,
          error: err instanceof Error ? err.message : String(err),
        }),
      );
    });
    return c.json({ id, deleted: true as const, revision }, 200);
  });
}
