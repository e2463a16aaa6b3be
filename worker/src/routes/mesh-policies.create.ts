import { createRoute } from "@hono/zod-openapi";
import { meshPolicies } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { meshWrite } from "../services/mesh/write.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import {
  MeshPolicy,
  MeshPolicyInput,
  policyAuditView,
  toMeshPolicy,
  WARNINGS_DESCRIPTION,
} from "./mesh-policies.schemas.ts";

const route = createRoute({
  method: "post",
  path: "/api/mesh/policies",
  summary: "Create a mesh policy",
  description: `Bumps the org revision; the nodes its rules name get \`policy_updated\` and, for allow rules, \`peer_added\`. Names are unique per org (409). ${WARNINGS_DESCRIPTION}`,
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: {
    body: { required: true, content: { "application/json": { schema: MeshPolicyInput } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: MeshPolicy } } },
    409: { ...errorResponses[400], description: "A policy with this name exists" },
    ...errorResponses,
  },
});

export function registerCreateMeshPolicy(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const principal = c.var.principal;
    const orgId = principal.orgId;
    const { result } = await meshWrite(
      c,
      orgId,
      { type: "api_key", id: principal.keyId },
      async (s) => {
        refuseTakenName(s.before.policies, body.name, null);
        const [row] = await s.tx
          .insert(meshPolicies)
          .values({
            orgId,
            name: body.name,
            description: body.description,
            rules: body.rules,
            version: 1,
            revision: s.revision,
            createdAt: s.at,
            updatedAt: s.at,
          })
          .returning();
        return {
          result: toMeshPolicy(row!, new Set(s.before.nodes.byId.keys())),
          audit: {
            action: "mesh_policy.create",
            targetType: "mesh_policy",
            targetId: row!.id,
            before: null,
            after: policyAuditView(row!),
          },
          changed: { policies: [row!.id] },
        };
      },
    );
    return c.json(result, 201);
  });
}

/** A clear 409 before the unique index would answer a generic one. */
/** A 409 when another policy of the org has `name` (`policies`: all of them, read under the org lock). */
export function refuseTakenName(
  policies: readonly { id: string; name: string }[],
  name: string,
  exceptId: string | null,
): void {
  const taken = policies.find((p) => p.name === name);
  if (taken && taken.id !== exceptId) {
    throw new ApiError("conflict", `a mesh policy named "${name}" exists already (${taken.id})`, {
      path: "body.name",
      existing_id: taken.id,
    });
  }
}
