import { createRoute, z } from "@hono/zod-openapi";
import { nodes } from "@tether/schema/tables";
import { and, eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { nodeAuthFailure, orgOfNode, requireNodeToken } from "../middleware/node-auth.ts";
import { nodeSecurity } from "./agent.schemas.ts";
import { errorResponses, UuidParam } from "./common.ts";

const Pong = z
  .object({
    ping_id: z.uuid({ error: "must be the id of the ping event answered (a UUID)" }),
  })
  .strict()
  .openapi("Pong");

const route = createRoute({
  method: "post",
  path: "/v1/nodes/{id}/pong",
  summary:
    "Answer a `ping` event (agents on the SSE transport; WebSocket agents answer up the socket)",
  description:
    "`recorded` is false when the Hub no longer remembers the ping (it keeps the last 16) or the node has no open stream.",
  security: nodeSecurity,
  middleware: [requireNodeToken] as const,
  request: {
    params: UuidParam,
    body: { required: true, content: { "application/json": { schema: Pong } } },
  },
  responses: {
    200: {
      description: "Answer taken",
      content: { "application/json": { schema: z.object({ recorded: z.boolean() }) } },
    },
    ...errorResponses,
  },
});

export function registerNodePong(app: App): void {
  app.openapi(route, async (c) => {
    const hash = c.var.nodeCredentialHash;
    const { id } = c.req.valid("param");
    const { ping_id } = c.req.valid("json");
    // `db` is read only when needed: its getter creates the request's client.
    const services = c.var.services;
    const orgId = await orgOfNode(services, id);
    // The Hub knows the node's credential from its open stream: no query on the hot path.
    const recorded = orgId ? await services.hub.pong(orgId, id, hash, ping_id) : null;
    if (recorded !== null) return c.json({ recorded }, 200);
    const db = services.db;
    const [node] = await db
      .select({ id: nodes.id })
      .from(nodes)
      .where(and(eq(nodes.id, id), eq(nodes.credentialHash, hash)))
      .limit(1);
    if (!node) throw await nodeAuthFailure(db, hash);
    return c.json({ recorded: false }, 200);
  });
}
