import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { apps } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { lockOrg, writeAudit } from "../services/audit.ts";
import { pgErrorCode } from "../services/db.ts";
import { AppFields, AppSchema, findApp, slugTaken, toApp } from "./apps.schemas.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";

const UpdateApp = AppFields.partial().strict().openapi("UpdateApp");

const route = createRoute({
  method: "patch",
  path: "/api/apps/{id}",
  summary: "Rename an app, change its slug or description",
  description:
    "Changing the slug changes the `app_id` its senders must use. A patch that changes nothing writes nothing.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: {
    params: UuidParam,
    body: { required: true, content: { "application/json": { schema: UpdateApp } } },
  },
  responses: {
    200: {
      description: "The app as it is now",
      content: { "application/json": { schema: AppSchema } },
    },
    409: { ...errorResponses[400], description: "The new slug is taken in this org" },
    ...errorResponses,
  },
});

export function registerUpdateApp(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    const { db, now } = c.var.services;
    const principal = c.var.principal;
    const at = now();
    const row = await db
      .transaction(async (tx) => {
        await lockOrg(tx, principal.orgId);
        const before = await findApp(tx, principal.orgId, id, true);
        const changed =
          (patch.slug !== undefined && patch.slug !== before.slug) ||
          (patch.name !== undefined && patch.name !== before.name) ||
          (patch.description !== undefined && patch.description !== before.description);
        if (!changed) return before;
        const [after] = await tx
          .update(apps)
          .set({ ...patch, updatedAt: at })
          .where(eq(apps.id, id))
          .returning();
        await writeAudit(tx, {
          orgId: principal.orgId,
          actorType: "api_key",
          actorId: principal.keyId,
          action: "app.update",
          targetType: "app",
          targetId: id,
          before: toApp(before),
          after: toApp(after!),
          requestId: c.var.requestId,
          at,
        });
        return after!;
      })
      .catch((err: unknown) => {
        throw pgErrorCode(err) === "23505" && patch.slug ? slugTaken(patch.slug) : err;
      });
    return c.json(toApp(row), 200);
  });
}
