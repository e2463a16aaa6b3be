import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { IngestKey, keysBoundTo, toIngestKey } from "./app-keys.schemas.ts";
import { findApp } from "./apps.schemas.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";

const Query = z.object({
  include_revoked: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((v) => v === "true"),
});

const route = createRoute({
  method: "get",
  path: "/api/apps/{id}/keys",
  summary: "List the ingest keys bound to an app (never the keys themselves)",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { params: UuidParam, query: Query },
  responses: {
    200: {
      description: "Keys, oldest first",
      content: { "application/json": { schema: z.object({ keys: z.array(IngestKey) }) } },
    },
    ...errorResponses,
  },
});

export function registerListAppKeys(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { include_revoked } = c.req.valid("query");
    const { db } = c.var.services;
    const orgId = c.var.principal.orgId;
    await findApp(db, orgId, id);
    const rows = await keysBoundTo(db, orgId, id, include_revoked);
    return c.json({ keys: rows.map(toIngestKey) }, 200);
  });
}
