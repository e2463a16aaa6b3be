import { createRoute } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { enrollmentTokens } from "@tether/schema/tables";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { lockOrg, writeAudit } from "../services/audit.ts";
import { adminSecurity, errorResponses, UuidParam } from "./common.ts";
import { EnrollmentToken, toEnrollmentToken } from "./enrollment-tokens.schemas.ts";

const route = createRoute({
  method: "delete",
  path: "/api/enrollment-tokens/{id}",
  summary: "Revoke an enrollment token",
  description:
    "The token enrolls no further machine. Nodes already enrolled with it stay; delete them with `DELETE /api/nodes/{id}`.",
  security: adminSecurity("admin"),
  middleware: [requireAdmin("admin")] as const,
  request: { params: UuidParam },
  responses: {
    200: { description: "Revoked", content: { "application/json": { schema: EnrollmentToken } } },
    409: { ...errorResponses[400], description: "Already revoked" },
    ...errorResponses,
  },
});

export function registerRevokeEnrollmentToken(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { db, now } = c.var.services;
    const principal = c.var.principal;
    const at = now();
    const revoked = await db.transaction(async (tx) => {
      await lockOrg(tx, principal.orgId);
      const inOrg = and(eq(enrollmentTokens.id, id), eq(enrollmentTokens.orgId, principal.orgId));
      const [before] = await tx.select().from(enrollmentTokens).where(inOrg).for("update");
      if (!before) throw new ApiError("not_found", `no enrollment token ${id} in this org`);
      if (before.revokedAt) {
        throw new ApiError("conflict", `enrollment token ${id} is already revoked`);
      }
      const [after] = await tx
        .update(enrollmentTokens)
        .set({ revokedAt: at })
        .where(inOrg)
        .returning();
      await writeAudit(tx, {
        orgId: principal.orgId,
        actorType: "api_key",
        actorId: principal.keyId,
        action: "enrollment_token.revoke",
        targetType: "enrollment_token",
        targetId: id,
        before: toEnrollmentToken(before, at),
        after: toEnrollmentToken(after!, at),
        requestId: c.var.requestId,
        at,
      });
      return after!;
    });
    return c.json(toEnrollmentToken(revoked, at), 200);
  });
}
