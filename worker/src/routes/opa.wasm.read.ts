import { createRoute, z } from "@hono/zod-openapi";
import { wasmPolicyVersions } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import {
  listPolicies,
  notFound,
  policyById,
  policyVersions,
} from "../services/governance/policy-kind.ts";
import { storedModule } from "../services/governance/wasm/policies.ts";
import { WASM } from "../services/governance/wasm/views.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";
import { policyReadRoutes } from "./opa.common.ts";
import {
  toWasmPolicy,
  toWasmPolicyVersion,
  WasmPolicy,
  WasmPolicyVersion,
} from "./opa.wasm.schemas.ts";

const { list, get, versions } = policyReadRoutes({
  path: "/api/opa/wasm-policies",
  label: "Wasm",
  listDescription: "Wasm policies by name",
  policy: WasmPolicy,
  version: WasmPolicyVersion,
  versionsDescription:
    "Every create and replace stores the version it wrote, with its module's SHA-256.",
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

export function registerWasmPolicyReads(app: App): void {
  app.openapi(list, async (c) => {
    const rows = await listPolicies(c.var.services.db, WASM, c.var.principal.orgId);
    return c.json({ policies: rows.map(toWasmPolicy) }, 200);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const row = await policyById(c.var.services.db, WASM, c.var.principal.orgId, id);
    if (!row) throw notFound(WASM, id);
    return c.json(toWasmPolicy(row), 200);
  });

  app.openapi(versions, async (c) => {
    const { id } = c.req.valid("param");
    const { db } = c.var.services;
    const rows = await policyVersions(db, WASM, wasmPolicyVersions, c.var.principal.orgId, id);
    return c.json({ policy_id: id, versions: rows.map(toWasmPolicyVersion) }, 200);
  });

  app.openapi(download, async (c) => {
    const { id } = c.req.valid("param");
    const { db } = c.var.services;
    const orgId = c.var.principal.orgId;
    const row = await policyById(db, WASM, orgId, id);
    if (!row) throw notFound(WASM, id);
    const bytes = await storedModule(db, orgId, row.sha256).bytes();
    return c.body(bytes, 200, { "content-type": "application/wasm", etag: `"${row.sha256}"` });
  });
}
