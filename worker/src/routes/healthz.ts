import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { App } from "../context.ts";

const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    database: z.object({
      reachable: z.boolean(),
      latency_ms: z.number().optional(),
      error: z.string().optional(),
    }),
  })
  .openapi("Health");

const route = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness and database reachability",
  responses: {
    200: {
      description: "Up, database reachable",
      content: { "application/json": { schema: Health } },
    },
    503: {
      description: "Database unreachable",
      content: { "application/json": { schema: Health } },
    },
  },
});

const TIMEOUT_MS = 5000;

export function registerHealthz(app: App): void {
  app.openapi(route, async (c) => {
    const started = Date.now();
    try {
      await Promise.race([
        c.var.services.db.execute(sql`select 1`),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS),
        ),
      ]);
      return c.json(
        { status: "ok" as const, database: { reachable: true, latency_ms: Date.now() - started } },
        200,
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return c.json(
        { status: "degraded" as const, database: { reachable: false, error: message } },
        503,
      );
    }
  });
}
