import { createRoute } from "@hono/zod-openapi";
import { apps } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { lockOrg, writeAudit } from "../services/audit.ts";
import { pgErrorCode } from "../services/db.ts";
import { AppFields, AppSchema, slugTaken, toApp } from "./apps.schemas.ts";
import { adminSecurity, errorResponses } from "./common.ts";

const CreateApp = AppFields.partial({ description: true }).strict().openapi("CreateApp");

const route = createRoute({
  method: "post",
  path: "/api/apps",
  summary: "Register an app (the `app_id` of its telemetry batches is its slug)",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateApp } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: AppSchema } } },
    409: { ...errorResponses[400], description: "The slug is taken in this org" },
    ...errorResponses,
  },
});

export function registerCreateApp(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { db, now } = c.var.services;
    const principal = c.var.principal;
    const at = now();
    const row = await db
      .transaction(async (tx) => {
        await lockOrg(tx, principal.orgId);
        const [created] = await tx
          .insert(apps)
          .values({
            orgId: principal.orgId,
            slug: body.slug,
            name: body.name,
            description: body.description ?? "",
            createdAt: at,
            updatedAt: at,
          })
          .returning();
        await writeAudit(tx, {
          orgId: principal.orgId,
          actorType: "api_key",
          actorId: principal.keyId,
          action: "app.create",
          targetType: "app",
          targetId: created!.id,
          before: null,
          after: toApp(created!),
          requestId: c.var.requestId,
          at,
        });
        return created!;
      })
      .catch((err: unknown) => {
        throw pgErrorCode(err) === "23505" ? slugTaken(body.slug) : err;
      });
    return c.json(toApp(row), 201);
  });
}
