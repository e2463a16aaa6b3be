import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { nodes } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireNode } from "../middleware/node-auth.ts";
import { meshWrite } from "../services/mesh/write.ts";
import { nodeSecurity } from "./agent.schemas.ts";
import { errorResponses, UuidParam } from "./common.ts";

const route = createRoute({
  method: "post",
  path: "/v1/nodes/{id}/deregister",
  summary: "Leave the mesh: the node is deleted and removed from every peer's state",
  security: nodeSecurity,
  middleware: [requireNode] as const,
  request: { params: UuidParam },
  responses: {
    200: {
      description: "Deregistered; the credential no longer works",
      content: {
        "application/json": {
          schema: z.object({ deregistered: z.literal(true), revision: z.number() }),
        },
      },
    },
    ...errorResponses,
  },
});

export function registerNodeDeregister(app: App): void {
  app.openapi(route, async (c) => {
    const node = c.var.node;
    const { revision } = await meshWrite(
      c,
      node.orgId,
      { type: "node", id: node.id },
      async ({ tx }) => {
        await tx.delete(nodes).where(eq(nodes.id, node.id));
        return {
          result: null,
          audit: {
            action: "node.deregister",
            targetType: "node",
            targetId: node.id,
            before: { id: node.id, name: node.name, mesh_ip: node.meshIp },
            after: null,
          },
          changed: { nodes: [node.id] },
        };
      },
    );
    await c.var.services.hub.disconnect(node.orgId, node.id, "node deregistered").catch(() => {});
    return c.json({ deregistered: true as const, revision }, 200);
  });
}
