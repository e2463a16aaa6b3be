import { createRoute } from "@hono/zod-openapi";
import { and, eq, isNull, ne } from "drizzle-orm";
import { apiKeys } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { lockOrg, type Tx, writeAudit } from "../services/audit.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";
import { ApiKey, toApiKey } from "./keys.schemas.ts";

const route = createRoute({
  method: "delete",
  path: "/api/keys/{id}",
  summary: "Revoke an admin API key",
  description:
    "Refuses (409) to revoke the org's last admin-scoped key, which would lock the org out.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "Revoked", content: { "application/json": { schema: ApiKey } } },
    409: { ...errorResponses[400], description: "Already revoked, or the last admin key" },
    ...errorResponses,
  },
});

export function registerRevokeKey(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { db, now } = c.var.services;
    const principal = c.var.principal;
    const at = now();
    const revoked = await db.transaction(async (tx) => {
      await lockOrg(tx, principal.orgId);
      const inOrg = and(
        eq(apiKeys.id, id),
        eq(apiKeys.orgId, principal.orgId),
        eq(apiKeys.kind, "admin"),
      );
      const [before] = await tx.select().from(apiKeys).where(inOrg);
      if (!before) throw new ApiError("not_found", `no admin API key ${id} in this org`);
      if (before.revokedAt) throw new ApiError("conflict", `API key ${id} is already revoked`);
      if (
        before.scopes.includes("admin") &&
        (await otherAdminKeys(tx, principal.orgId, id)) === 0
      ) {
        throw new ApiError(
          "conflict",
          "refusing to revoke the org's last admin-scoped key: create another one first",
        );
      }
      const [after] = await tx.update(apiKeys).set({ revokedAt: at }).where(inOrg).returning();
      await writeAudit(tx, {
        orgId: principal.orgId,
        actorType: "api_key",
        actorId: principal.keyId,
        action: "api_key.revoke",
        targetType: "api_key",
        targetId: id,
        before: toApiKey(before),
        after: toApiKey(after!),
        requestId: c.var.requestId,
        at,
      });
      return after!;
    });
    return c.json(toApiKey(revoked), 200);
  });
}

async function otherAdminKeys(tx: Tx, orgId: string, except: string): Promise<number> {
  const rows = await tx
    .select({ scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.orgId, orgId),
        eq(apiKeys.kind, "admin"),
        isNull(apiKeys.revokedAt),
        ne(apiKeys.id, except),
      ),
    );
  return rows.filter((r) => r.scopes.includes("admin")).length;
}
