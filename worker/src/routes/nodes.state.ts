import { createRoute } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { requireNode } from "../middleware/node-auth.ts";
import { readNodeState } from "../services/mesh/read-state.ts";
import { NodeStateSchema, nodeSecurity } from "./agent.schemas.ts";
import { errorResponses, UuidParam } from "./common.ts";

const route = createRoute({
  method: "get",
  path: "/v1/nodes/{id}/state",
  summary:
    "The node's desired state: revision, visible peers, the mesh policies naming it, mode, signing keys",
  security: nodeSecurity,
  middleware: [requireNode] as const,
  request: { params: UuidParam },
  responses: {
    200: {
      description: "Desired state",
      content: { "application/json": { schema: NodeStateSchema } },
    },
    ...errorResponses,
  },
});

export function registerNodeState(app: App): void {
  app.openapi(route, async (c) => {
    const node = c.var.node;
    const state = await readNodeState(c.var.services.db, node.orgId, node.id, c.var.services.now());
    return c.json(state, 200);
  });
}
