import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import { apiKeys, apps } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { lockOrg, writeAudit } from "../services/audit.ts";
import { generateToken, hashToken, tokenHint } from "../services/tokens.ts";
import { IngestKey, toIngestKey } from "./app-keys.schemas.ts";
import { findApp } from "./apps.schemas.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";

const CreateIngestKey = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    also_app_ids: z
      .array(z.uuid({ error: "must be an app id (UUID)" }))
      .max(100, "at most 100 apps")
      .optional()
      .openapi({ description: "Further apps of this org the key may send for" }),
    rate_limit_per_minute: z
      .number()
      .int("must be an integer")
      .min(1, "must be at least 1")
      .max(1_000_000, "must be at most 1000000")
      .optional(),
    expires_at: z.iso
      .datetime({ offset: true, error: "must be an RFC 3339 date-time" })
      .optional()
      .openapi({ example: "2027-01-01T00:00:00Z" }),
  })
  .strict()
  .openapi("CreateIngestKey");

const CreatedIngestKey = IngestKey.extend({
  key: z.string().openapi({ description: "The key itself. Shown once; only its hash is stored." }),
}).openapi("CreatedIngestKey");

const route = createRoute({
  method: "post",
  path: "/api/apps/{id}/keys",
  summary: "Create an ingest key for an app (shown once)",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: {
    params: UuidParam,
    body: { required: true, content: { "application/json": { schema: CreateIngestKey } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: CreatedIngestKey } } },
    ...errorResponses,
  },
});

export function registerCreateAppKey(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { db, now, random } = c.var.services;
    const principal = c.var.principal;
    const key = generateToken("ingest", random);
    const at = now();
    const appIds = [...new Set([id, ...(body.also_app_ids ?? [])])];
    const row = await db.transaction(async (tx) => {
      await lockOrg(tx, principal.orgId);
      await findApp(tx, principal.orgId, id);
      const found = await tx
        .select({ id: apps.id })
        .from(apps)
        .where(and(eq(apps.orgId, principal.orgId), inArray(apps.id, appIds)));
      const missing = appIds.filter((a) => !found.some((f) => f.id === a));
      if (missing.length > 0) {
        throw new ApiError(
          "validation_failed",
          `invalid request: body.also_app_ids: no app ${missing.join(", ")} in this org`,
          missing.map((m) => ({
            path: `body.also_app_ids[${body.also_app_ids?.indexOf(m)}]`,
            message: "no such app in this org",
          })),
        );
      }
      const [created] = await tx
        .insert(apiKeys)
        .values({
          orgId: principal.orgId,
          kind: "ingest",
          name: body.name,
          keyHash: await hashToken(key),
          keyHint: tokenHint(key),
          appIds,
          rateLimitPerMinute: body.rate_limit_per_minute ?? null,
          createdBy: principal.keyId,
          createdAt: at,
          expiresAt: body.expires_at ? new Date(body.expires_at) : null,
        })
        .returning();
      await writeAudit(tx, {
        orgId: principal.orgId,
        actorType: "api_key",
        actorId: principal.keyId,
        action: "ingest_key.create",
        targetType: "api_key",
        targetId: created!.id,
        before: null,
        after: toIngestKey(created!),
        requestId: c.var.requestId,
        at,
      });
      return created!;
    });
    return c.json({ ...toIngestKey(row), key }, 201);
  });
}
