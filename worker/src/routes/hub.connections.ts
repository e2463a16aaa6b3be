import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { adminSecurity, errorResponses } from "./common.ts";

const route = createRoute({
  method: "get",
  path: "/api/hub/connections",
  summary: "Agents connected to the org's event stream right now",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  responses: {
    200: {
      description: "Open streams",
      content: {
        "application/json": {
          schema: z.object({
            connections: z.array(z.object({ node_id: z.string(), since: z.string() })),
          }),
        },
      },
    },
    ...errorResponses,
  },
});

export function registerHubConnections(app: App): void {
  app.openapi(route, async (c) => {
    const connections = await c.var.services.hub.connected(c.var.principal.orgId);
    return c.json({ connections }, 200);
  });
}
