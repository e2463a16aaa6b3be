import { createRoute, z } from "@hono/zod-openapi";
import { targetsNode } from "@tether/schema/wire";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireNode } from "../middleware/node-auth.ts";
import { wasmPolicyById } from "../services/governance/wasm/decide.ts";
import { storedModule } from "../services/governance/wasm/policies.ts";
import { nodeSecurity } from "./agent.schemas.ts";
import { errorResponses } from "./common.ts";

const Params = z.object({
  id: z.uuid({ error: "must be a UUID" }).openapi({ param: { name: "id", in: "path" } }),
  policyId: z
    .uuid({ error: "must be a UUID" })
    .openapi({ param: { name: "policyId", in: "path" } }),
});

const route = createRoute({
  method: "get",
  path: "/v1/nodes/{id}/policies/{policyId}/wasm",
  summary: "The module of an active Wasm policy that targets the node",
  description:
    "The bytes of the policy's current module (`Content-Type: application/wasm`, `ETag` = its SHA-256, 304 for a matching `If-None-Match`). The node's state and `rego_policy_updated` name the policy by id and `sha256`; the node checks the bytes' SHA-256 before loading them. 404 unless the policy is active and targets this node (or every node).",
  security: nodeSecurity,
  middleware: [requireNode] as const,
  request: { params: Params },
  responses: {
    200: {
      description: "The module",
      content: { "application/wasm": { schema: z.string().openapi({ format: "binary" }) } },
    },
    304: { description: "Not modified: the node has these bytes" },
    ...errorResponses,
    403: { ...errorResponses[403], description: "The credential belongs to another node" },
  },
});

export function registerNodePolicyWasm(app: App): void {
  app.openapi(route, async (c) => {
    const node = c.var.node;
    const { policyId } = c.req.valid("param");
    const { db } = c.var.services;
    const policy = await wasmPolicyById(db, node.orgId, policyId);
    if (
      policy?.status !== "active" ||
      !targetsNode({ target_nodes: policy.targetNodes }, node.id)
    ) {
      throw new ApiError("not_found", `no active Wasm policy ${policyId} for this node`);
    }
    const etag = `"${policy.sha256}"`;
    const headers = { etag, "cache-control": "no-cache" };
    if (
      c.req
        .header("if-none-match")
        ?.split(/\s*,\s*/)
        .includes(etag)
    ) {
      return c.body(null, 304, headers);
    }
    const bytes = await storedModule(db, node.orgId, policy.sha256).bytes();
    return c.body(bytes, 200, { ...headers, "content-type": "application/wasm" });
  });
}
