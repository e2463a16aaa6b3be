import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { verifyAuditChain } from "../services/audit-verify.ts";
import { adminSecurity, errorResponses } from "./common.ts";

const Verdict = z
  .union([
    z.object({
      ok: z.literal(true),
      rows: z.number().int(),
      head: z
        .object({ seq: z.number().int(), hash: z.string() })
        .nullable()
        .openapi({ description: "The newest row; record it to detect a later truncation" }),
    }),
    z.object({
      ok: z.literal(false),
      rows: z.number().int().openapi({ description: "Rows verified before the break" }),
      broken_at: z.object({ seq: z.number().int(), id: z.uuid() }),
      reason: z.enum(["seq_gap", "prev_hash_mismatch", "hash_mismatch"]),
      message: z.string(),
    }),
  ])
  .openapi("AuditVerdict");

const route = createRoute({
  method: "get",
  path: "/api/audit/verify",
  summary: "Recompute this org's audit hash chain and report the first broken row",
  description:
    "Walks the chain from seq 1: a missing seq (deleted row), a row not following its predecessor " +
    "(reordered or inserted) or a row whose content no longer matches its hash (altered) stops the walk.",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  responses: {
    200: { description: "The verdict", content: { "application/json": { schema: Verdict } } },
    ...errorResponses,
  },
});

export function registerVerifyAudit(app: App): void {
  app.openapi(route, async (c) => {
    const verdict = await verifyAuditChain(c.var.services.db, c.var.principal.orgId);
    return c.json(verdict, 200);
  });
}
