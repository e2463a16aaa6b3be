import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { nodes, orgs } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireNode } from "../middleware/node-auth.ts";
import { nodeSecurity } from "./agent.schemas.ts";
import { errorResponses, UuidParam } from "./common.ts";

const Beat = z
  .object({
    desired_revision: z.number().int(),
    seq: z.number().int().openapi({ description: "The org's newest event sequence number" }),
  })
  .openapi("Heartbeat");

const route = createRoute({
  method: "post",
  path: "/v1/nodes/{id}/heartbeat",
  summary: "Liveness: records last seen, answers the revision the node should run",
  security: nodeSecurity,
  middleware: [requireNode] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "Recorded", content: { "application/json": { schema: Beat } } },
    ...errorResponses,
  },
});

export function registerNodeHeartbeat(app: App): void {
  app.openapi(route, async (c) => {
    const node = c.var.node;
    const { db, now } = c.var.services;
    await db.update(nodes).set({ lastSeenAt: now() }).where(eq(nodes.id, node.id));
    const [org] = await db.select({ seq: orgs.eventSeq }).from(orgs).where(eq(orgs.id, node.orgId));
    return c.json({ desired_revision: node.desiredRevision, seq: org?.seq ?? 0 }, 200);
  });
}
