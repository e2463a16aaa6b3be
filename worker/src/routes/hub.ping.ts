import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { adminSecurity, errorResponses } from "./common.ts";

const route = createRoute({
  method: "post",
  path: "/api/hub/ping",
  summary: "Send an unsigned `ping` event to every connected agent of the org",
  description:
    "A liveness probe of the agents behind the open streams: each answers with a pong (up its WebSocket, or POST /v1/nodes/{id}/pong), and GET /api/hub/pings/{id} lists who answered and how fast. No database, no signature, just the Hub: also the bare-broadcast baseline of bench/propagation.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  responses: {
    200: {
      description: "Sent",
      content: {
        "application/json": { schema: z.object({ id: z.string(), connected: z.number().int() }) },
      },
    },
    ...errorResponses,
  },
});

export function registerHubPing(app: App): void {
  app.openapi(route, async (c) => {
    const id = crypto.randomUUID();
    const connected = await c.var.services.hub.ping(c.var.principal.orgId, id);
    return c.json({ id, connected }, 200);
  });
}
