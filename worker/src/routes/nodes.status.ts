import { createRoute, z } from "@hono/zod-openapi";
import { nodes } from "@tether/schema/tables";
import { StatusReport } from "@tether/schema/wire";
import { and, eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { nodeAuthFailure, orgOfNode, requireNodeToken } from "../middleware/node-auth.ts";
import { desiredRevisionOf } from "../services/node-row.ts";
import { nodeSecurity } from "./agent.schemas.ts";
import { errorResponses, UuidParam } from "./common.ts";

const Ack = z
  .object({
    desired_revision: z.number().int(),
    stale: z
      .boolean()
      .openapi({ description: "true when the node applied an older revision than it should" }),
  })
  .openapi("StatusAck");

const route = createRoute({
  method: "post",
  path: "/v1/nodes/{id}/status",
  summary: "Acknowledge an applied state: revision, ruleset hash, peer count, mode, errors",
  security: nodeSecurity,
  middleware: [requireNodeToken] as const,
  request: {
    params: UuidParam,
    body: { required: true, content: { "application/json": { schema: StatusReport } } },
  },
  responses: {
    200: { description: "Recorded", content: { "application/json": { schema: Ack } } },
    ...errorResponses,
  },
});

export function registerNodeStatus(app: App): void {
  app.openapi(route, async (c) => {
    // The hot path of every ack: authentication and the write are one round trip.
    const hash = c.var.nodeCredentialHash;
    const { id } = c.req.valid("param");
    const report = c.req.valid("json");
    // `db` is read only when needed: its getter creates the request's client.
    const services = c.var.services;
    const { now, hub } = services;
    // A node with an open stream acks through its Hub, which batches the writes.
    const orgId = await orgOfNode(services, id);
    if (orgId) {
      const batched = await hub.ack(orgId, id, hash, report).catch(() => null);
      if (batched) return c.json(batched, 200, { "x-tether-ack": "batched" });
    }
    const at = now();
    const db = services.db;
    const [node] = await db
      .update(nodes)
      .set({
        appliedRevision: report.applied_revision,
        rulesetHash: report.ruleset_hash,
        peerCount: report.peer_count,
        appliedMode: report.mode,
        lastErrors: report.errors,
        ...(report.agent_version ? { agentVersion: report.agent_version } : {}),
        lastStatusAt: at,
        lastSeenAt: at,
      })
      .where(and(eq(nodes.id, id), eq(nodes.credentialHash, hash)))
      .returning({ desiredRevision: desiredRevisionOf.mapWith(Number) });
    if (!node) throw await nodeAuthFailure(db, hash);
    return c.json(
      {
        desired_revision: node.desiredRevision,
        stale: report.applied_revision < node.desiredRevision,
      },
      200,
    );
  });
}
