import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { apiKeys, apps } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { lockOrg, writeAudit } from "../services/audit.ts";
import { keysBoundTo, toIngestKey } from "./app-keys.schemas.ts";
import { AppSchema, findApp, toApp } from "./apps.schemas.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";

const route = createRoute({
  method: "delete",
  path: "/api/apps/{id}",
  summary: "Delete an app with its telemetry",
  description:
    "Deletes the app's telemetry events too. Ingest keys bound to it lose it; a key bound to no other app is revoked.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "The deleted app", content: { "application/json": { schema: AppSchema } } },
    ...errorResponses,
  },
});

export function registerDeleteApp(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { db, now } = c.var.services;
    const principal = c.var.principal;
    const at = now();
    const audit = {
      orgId: principal.orgId,
      actorType: "api_key",
      actorId: principal.keyId,
    } as const;
    const deleted = await db.transaction(async (tx) => {
      await lockOrg(tx, principal.orgId);
      const before = await findApp(tx, principal.orgId, id, true);
      for (const key of await keysBoundTo(tx, principal.orgId, id)) {
        const appIds = key.appIds.filter((a) => a !== id);
        const [after] = await tx
          .update(apiKeys)
          .set({ appIds, ...(appIds.length === 0 && { revokedAt: at }) })
          .where(eq(apiKeys.id, key.id))
          .returning();
        await writeAudit(tx, {
          ...audit,
          action: appIds.length === 0 ? "ingest_key.revoke" : "ingest_key.update",
          targetType: "api_key",
          targetId: key.id,
          before: toIngestKey(key),
          after: toIngestKey(after!),
          requestId: c.var.requestId,
          at,
        });
      }
      await tx.delete(apps).where(eq(apps.id, id));
      await writeAudit(tx, {
        ...audit,
        action: "app.delete",
        targetType: "app",
        targetId: id,
        before: toApp(before),
        after: null,
        requestId: c.var.requestId,
        at,
      });
      return before;
    });
    return c.json(toApp(deleted), 200);
  });
}
