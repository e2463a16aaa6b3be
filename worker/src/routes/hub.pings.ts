import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";

const PingResult = z
  .object({
    id: z.string(),
    sent_at: z.string(),
    sent: z.number().int().openapi({ description: "Nodes the ping was sent to" }),
    answered: z
      .array(z.object({ node_id: z.string(), rtt_ms: z.number() }))
      .openapi({ description: "Nodes that answered, fastest first (send → answer, at the Hub)" }),
    missing: z.array(z.string()).openapi({ description: "Nodes that have not answered (yet)" }),
  })
  .openapi("PingResult");

const route = createRoute({
  method: "get",
  path: "/api/hub/pings/{id}",
  summary: "Who answered a ping sent with POST /api/hub/ping, and how fast",
  description:
    "The org's Hub keeps its last 16 pings in memory; an older one, or one sent before the Hub was evicted, is 404.",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "Answers so far", content: { "application/json": { schema: PingResult } } },
    ...errorResponses,
  },
});

export function registerHubPings(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const result = await c.var.services.hub.pingResult(c.var.principal.orgId, id);
    if (!result) {
      throw new ApiError(
        "not_found",
        `no ping ${id} in the Hub's memory (it keeps the last 16, until it is evicted)`,
      );
    }
    return c.json(result, 200);
  });
}
