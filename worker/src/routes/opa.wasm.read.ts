import { createRoute, z } from "@hono/zod-openapi";
import { wasmPolicies, wasmPolicyVersions } from "@tether/schema/tables";
import { and, asc, desc, eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { wasmPolicyById } from "../services/governance/wasm/decide.ts";
import { storedModule } from "../services/governance/wasm/policies.ts";
import { adminSecurity, errorResponses, iso, UuidParam } from "./common.ts";
import { abiVersion, toWasmPolicy, WasmPolicy } from "./opa.wasm.schemas.ts";

const list = createRoute({
  method: "get",
  path: "/api/opa/wasm-policies",
  summary: "List the org's Wasm policies",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  responses: {
    200: {
      description: "Wasm policies by name",
      content: { "application/json": { schema: z.object({ policies: z.array(WasmPolicy) }) } },
    },
    ...errorResponses,
  },
});

const get = createRoute({
  method: "get",
  path: "/api/opa/wasm-policies/{id}",
  summary: "Get a Wasm policy",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "The policy", content: { "application/json": { schema: WasmPolicy } } },
    ...errorResponses,
  },
});

const WasmPolicyVersion = z
  .object({
    version: z.number().int(),
    name: z.string(),
    entrypoints: z.array(z.string()),
    sha256: z.string(),
    size_bytes: z.number().int(),
    abi_version: z.string().nullable(),
    status: z.enum(["draft", "active"]),
    mode: z.enum(["audit", "enforce"]),
    target_apps: z.array(z.string()),
    target_nodes: z.array(z.string()),
    revision: z.number().int(),
    actor_id: z.uuid().nullable(),
    created_at: z.string(),
  })
  .openapi("WasmPolicyVersion");

const versions = createRoute({
  method: "get",
  path: "/api/opa/wasm-policies/{id}/versions",
  summary: "A Wasm policy's version history, newest first",
  description: "Every create and replace stores the version it wrote, with its module's SHA-256.",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { params: UuidParam },
  responses: {
    200: {
      description: "Versions, newest first",
      content: {
        "application/json": {
          schema: z.object({ policy_id: z.uuid(), versions: z.array(WasmPolicyVersion) }),
        },
      },
    },
    ...errorResponses,
  },
});

const download = createRoute({
  method: "get",
  path: "/api/opa/wasm-policies/{id}/module",
  summary: "Download a Wasm policy's current module",
  description: "The bytes as uploaded; `ETag` is their SHA-256.",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { params: UuidParam },
  responses: {
    200: {
      description: "The module",
      content: { "application/wasm": { schema: z.string().openapi({ format: "binary" }) } },
    },
    ...errorResponses,
  },
});

const notFound = (id: string) => new ApiError("not_found", `no Wasm policy ${id} in this org`);

export function registerWasmPolicyReads(app: App): void {
  app.openapi(list, async (c) => {
    const rows = await c.var.services.db
      .select()
      .from(wasmPolicies)
      .where(eq(wasmPolicies.orgId, c.var.principal.orgId))
      .orderBy(asc(wasmPolicies.name));
    return c.json({ policies: rows.map(toWasmPolicy) }, 200);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const row = await wasmPolicyById(c.var.services.db, c.var.principal.orgId, id);
    if (!row) throw notFound(id);
    return c.json(toWasmPolicy(row), 200);
  });

  app.openapi(versions, async (c) => {
    const { id } = c.req.valid("param");
    const { db } = c.var.services;
    const orgId = c.var.principal.orgId;
    if (!(await wasmPolicyById(db, orgId, id))) throw notFound(id);
    const t = wasmPolicyVersions;
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
          entrypoints: v.entrypoints,
          sha256: v.sha256,
          size_bytes: v.sizeBytes,
          abi_version: abiVersion(v.abiMinorVersion),
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

  app.openapi(download, async (c) => {
    const { id } = c.req.valid("param");
    const { db } = c.var.services;
    const orgId = c.var.principal.orgId;
    const row = await wasmPolicyById(db, orgId, id);
    if (!row) throw notFound(id);
    const bytes = await storedModule(db, orgId, row.sha256).bytes();
    return c.body(bytes, 200, { "content-type": "application/wasm", etag: `"${row.sha256}"` });
  });
}
