import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { apps } from "@tether/schema/tables";
import { ApiError } from "../errors.ts";
import type { Tx } from "../services/audit.ts";

/** The `app_id` telemetry batches carry, e.g. `openclaw-1`. */
export const APP_SLUG = /^[A-Za-z0-9][\w.-]{0,62}$/;

export const AppSlug = z
  .string()
  .regex(APP_SLUG, "must be 1-63 characters: letters, digits, _ . - (starting alphanumeric)")
  .openapi({ example: "openclaw-1" });

export const AppFields = z.object({
  slug: AppSlug.openapi({ description: "What telemetry batches name the app by (`app_id`)" }),
  name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  description: z.string().max(1000, "must be at most 1000 characters"),
});

export const AppSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("App");

type AppRow = typeof apps.$inferSelect;

export function toApp(row: AppRow): z.infer<typeof AppSchema> {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** The app `id` of `orgId`, or 404. */
export async function findApp(
  tx: Tx,
  orgId: string,
  id: string,
  forUpdate = false,
): Promise<AppRow> {
  const query = tx
    .select()
    .from(apps)
    .where(and(eq(apps.id, id), eq(apps.orgId, orgId)));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw new ApiError("not_found", `no app ${id} in this org`);
  return row;
}

/** 409 naming the slug, for a unique violation on (org, slug). */
export const slugTaken = (slug: string) =>
  new ApiError("conflict", `an app with slug "${slug}" already exists in this org`, { slug });
