import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { orgs } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { lockOrg, writeAudit } from "../services/audit.ts";
import { adminSecurity, errorResponses } from "./common.ts";

// Both verbs of the one settings resource live here: they share its shape.

export const MAX_RETENTION_DAYS = 3650;

const Org = z
  .object({
    id: z.uuid(),
    name: z.string(),
    mesh_cidr: z.string(),
    retention_days: z.number().int().openapi({
      description: "Telemetry and decision logs older than this many days are deleted",
    }),
    revision: z.number().int(),
    created_at: z.string(),
  })
  .openapi("Org");

const toOrg = (r: typeof orgs.$inferSelect): z.infer<typeof Org> => ({
  id: r.id,
  name: r.name,
  mesh_cidr: r.meshCidr,
  retention_days: r.retentionDays,
  revision: r.revision,
  created_at: r.createdAt.toISOString(),
});

const Patch = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(200, "too long").optional(),
    retention_days: z
      .number({ error: "must be a whole number of days" })
      .int("must be a whole number of days")
      .min(1, "must be at least 1")
      .max(MAX_RETENTION_DAYS, `must be at most ${MAX_RETENTION_DAYS}`)
      .optional(),
  })
  .strict()
  .refine((p) => p.name !== undefined || p.retention_days !== undefined, {
    message: "give name or retention_days",
  });

const getRoute = createRoute({
  method: "get",
  path: "/api/org",
  summary: "This org's settings",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  responses: {
    200: { description: "The org", content: { "application/json": { schema: Org } } },
    ...errorResponses,
  },
});

const patchRoute = createRoute({
  method: "patch",
  path: "/api/org",
  summary: "Change this org's name or telemetry retention (audited)",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { body: { required: true, content: { "application/json": { schema: Patch } } } },
  responses: {
    200: { description: "The org as changed", content: { "application/json": { schema: Org } } },
    ...errorResponses,
  },
});

export function registerOrgSettings(app: App): void {
  app.openapi(getRoute, async (c) => {
    const [row] = await c.var.services.db
      .select()
      .from(orgs)
      .where(eq(orgs.id, c.var.principal.orgId));
    if (!row) throw new ApiError("not_found", "the key's org no longer exists");
    return c.json(toOrg(row), 200);
  });

  app.openapi(patchRoute, async (c) => {
    const patch = c.req.valid("json");
    const { db, now } = c.var.services;
    const principal = c.var.principal;
    const at = now();
    const updated = await db.transaction(async (tx) => {
      await lockOrg(tx, principal.orgId);
      const [before] = await tx.select().from(orgs).where(eq(orgs.id, principal.orgId));
      const [after] = await tx
        .update(orgs)
        .set({
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.retention_days === undefined ? {} : { retentionDays: patch.retention_days }),
        })
        .where(eq(orgs.id, principal.orgId))
        .returning();
      await writeAudit(tx, {
        orgId: principal.orgId,
        actorType: "api_key",
        actorId: principal.keyId,
        action: "org.update",
        targetType: "org",
        targetId: principal.orgId,
        before: toOrg(before!),
        after: toOrg(after!),
        requestId: c.var.requestId,
        at,
      });
      return after!;
    });
    return c.json(toOrg(updated), 200);
  });
}
