import { createRoute, z } from "@hono/zod-openapi";
import { DecisionBatch, MAX_DECISIONS_PER_BATCH } from "@tether/schema/wire";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireNode } from "../middleware/node-auth.ts";
import {
  storeAgentDecisions,
  validateDecisionBatch,
} from "../services/governance/decision-ingest.ts";
import { readJsonBody } from "../services/ingest/body.ts";
import { nodeSecurity } from "./agent.schemas.ts";
import { errorResponses, UuidParam } from "./common.ts";

const Result = z
  .object({
    received: z.number().int(),
    stored: z.number().int().openapi({ description: "Decisions stored by this request" }),
    duplicates: z
      .number()
      .int()
      .openapi({ description: "Decisions stored before (a retried batch): not stored again" }),
  })
  .openapi("DecisionIngestResult");

const route = createRoute({
  method: "post",
  path: "/v1/nodes/{id}/decisions",
  summary: "Ship the node's local decision logs (OPA's decision-log fields), in batches",
  description: `Validated whole before anything is written (400 names each field). At most ${MAX_DECISIONS_PER_BATCH} decisions per batch and the request body limit (413 beyond). Stored with \`source: agent\` and the node and org of the credential; a \`decision_id\` stored before is skipped, so retrying a batch is safe and answers how many entries were new.`,
  security: nodeSecurity,
  middleware: [requireNode] as const,
  request: {
    params: UuidParam,
    body: {
      required: true,
      // A reference, not a zod schema: the handler validates the body itself (413 before 400).
      content: { "application/json": { schema: { $ref: "#/components/schemas/DecisionBatch" } } },
    },
  },
  responses: {
    200: {
      description: "Stored (or already stored)",
      content: { "application/json": { schema: Result } },
    },
    ...errorResponses,
    403: { ...errorResponses[403], description: "The credential belongs to another node" },
    413: { ...errorResponses[413], description: "Body too large or too many decisions" },
  },
});

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

export function registerNodeDecisions(app: App): void {
  app.openAPIRegistry.register("DecisionBatch", DecisionBatch);
  app.openapi(route, async (c) => {
    const node = c.var.node;
    const type = c.req.header("content-type");
    if (!JSON_TYPE.test(type ?? "")) {
      throw new ApiError(
        "unsupported_media_type",
        `the request body must be JSON (Content-Type: application/json), not ${type ? `"${type}"` : "untyped"}`,
      );
    }
    const batch = validateDecisionBatch(await readJsonBody(c.req.raw, c.var.env.MAX_BODY_BYTES));
    const result = await storeAgentDecisions(
      c.var.services.db,
      { orgId: node.orgId, nodeId: node.id },
      batch.decisions,
    );
    return c.json(result, 200);
  });
}
