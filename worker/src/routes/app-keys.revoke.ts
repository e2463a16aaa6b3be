import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { apiKeys } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { lockOrg, writeAudit } from "../services/audit.ts";
import { IngestKey, toIngestKey } from "./app-keys.schemas.ts";
import { findApp } from "./apps.schemas.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";

const Params = UuidParam.extend({
  keyId: z.uuid({ error: "must be a UUID" }).openapi({ param: { name: "keyId", in: "path" } }),
});

const route = createRoute({
  method: "delete",
  path: "/api/apps/{id}/keys/{keyId}",
  summary: "Revoke an ingest key (for every app it is bound to)",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { params: Params },
  responses: {
    200: { description: "Revoked", content: { "application/json": { schema: IngestKey } } },
    409: { ...errorResponses[400], description: "Already revoked" },
    ...errorResponses,
  },
});

export function registerRevokeAppKey(app: App): void {
  app.openapi(route, async (c) => {
    const { id, keyId } = c.req.valid("param");
    const { db, now } = c.var.services;
    const principal = c.var.principal;
    const at = now();
    const revoked = await db.transaction(async (tx) => {
      await lockOrg(tx, principal.orgId);
      await findApp(tx, principal.orgId, id);
      const bound = and(
        eq(apiKeys.id, keyId),
        eq(apiKeys.orgId, principal.orgId),
        eq(apiKeys.kind, "ingest"),
        sql`${apiKeys.appIds} @> ${JSON.stringify([id])}::jsonb`,
      );
      const [before] = await tx.select().from(apiKeys).where(bound);
      if (!before) throw new ApiError("not_found", `no ingest key ${keyId} for app ${id}`);
      if (before.revokedAt)
        throw new ApiError("conflict", `ingest key ${keyId} is already revoked`);
      const [after] = await tx.update(apiKeys).set({ revokedAt: at }).where(bound).returning();
      await writeAudit(tx, {
        orgId: principal.orgId,
        actorType: "api_key",
        actorId: principal.keyId,
        action: "ingest_key.revoke",
        targetType: "api_key",
        targetId: keyId,
        before: toIngestKey(before),
        after: toIngestKey(after!),
        requestId: c.var.requestId,
        at,
      });
      return after!;
    });
    return c.json(toIngestKey(revoked), 200);
  });
}
