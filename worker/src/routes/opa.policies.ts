import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, desc, eq } from "drizzle-orm";
import { regoPolicies, regoPolicyVersions } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { adminSecurity, errorResponses, iso, UuidParam } from "./common.ts";
import { RegoPolicy, toRegoPolicy } from "./opa.schemas.ts";

const list = createRoute({
  method: "get",
  path: "/api/opa/policies",
  summary: "List the org's Rego policies",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  responses: {
    200: {
      description: "Policies by name",
      content: { "application/json": { schema: z.object({ policies: z.array(RegoPolicy) }) } },
    },
    ...errorResponses,
  },
});

const get = createRoute({
  method: "get",
  path: "/api/opa/policies/{id}",
  summary: "Get a Rego policy",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "The policy", content: { "application/json": { schema: RegoPolicy } } },
    ...errorResponses,
  },
});

const PolicyVersion = z
  .object({
    version: z.number().int(),
    name: z.string(),
    package_path: z.string(),
    source: z.string(),
    tests: z.string().nullable(),
    status: z.enum(["draft", "active"]),
    mode: z.enum(["audit", "enforce"]),
    target_apps: z.array(z.string()),
    target_nodes: z.array(z.string()),
    revision: z.number().int(),
    actor_id: z.uuid().nullable(),
    created_at: z.string(),
  })
  .openapi("RegoPolicyVersion");

const versions = createRoute({
  method: "get",
  path: "/api/opa/policies/{id}/versions",
  summary: "A Rego policy's version history, newest first",
  description: "Every create and replace stores the version it wrote, source included.",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { params: UuidParam },
  responses: {
    200: {
      description: "Versions, newest first",
      content: {
        "application/json": {
          schema: z.object({ policy_id: z.uuid(), versions: z.array(PolicyVersion) }),
        },
      },
    },
    ...errorResponses,
  },
});

export function registerRegoPolicyReads(app: App): void {
  app.openapi(list, async (c) => {
    const rows = await c.var.services.db
      .select()
      .from(regoPolicies)
      .where(eq(regoPolicies.orgId, c.var.principal.orgId))
      .orderBy(asc(regoPolicies.name));
    return c.json({ policies: rows.map(toRegoPolicy) }, 200);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const [row] = await c.var.services.db
      .select()
      .from(regoPolicies)
      .where(and(eq(regoPolicies.id, id), eq(regoPolicies.orgId, c.var.principal.orgId)));
    if (!row) throw new ApiError("not_found", `no Rego policy ${id} in this org`);
    return c.json(toRegoPolicy(row), 200);
  });

  app.openapi(versions, async (c) => {
    const { id } = c.req.valid("param");
    const { db } = c.var.services;
    const orgId = c.var.principal.orgId;
    const [row] = await db
      .select({ id: regoPolicies.id })
      .from(regoPolicies)
      .where(and(eq(regoPolicies.id, id), eq(regoPolicies.orgId, orgId)));
    if (!row) throw new ApiError("not_found", `no Rego policy ${id} in this org`);
    const t = regoPolicyVersions;
    const rows = await db
      .select()
      .from(t)
      .where(and(eq(t.policyId, id), eq(t.orgId, orgId)))
      .orderBy(desc(t.version));
    return c.json(
      {
        policy_id: id,
        versions: rows.map((v) => ({
          version: v.version,
          name: v.name,
          package_path: v.packagePath,
          source: v.source,
          tests: v.tests,
          status: v.status,
          mode: v.mode,
          target_apps: v.targetApps,
          target_nodes: v.targetNodes,
          revision: v.revision,
          actor_id: v.actorId,
          created_at: iso(v.createdAt)!,
        })),
      },
      200,
    );
  });
}
