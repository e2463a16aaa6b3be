import { z } from "@hono/zod-openapi";
import type { enrollmentTokens } from "@tether/schema/tables";
import { iso } from "./common.ts";

export const TOKEN_STATES = ["active", "used", "expired", "revoked"] as const;
export type EnrollmentTokenState = (typeof TOKEN_STATES)[number];

type TokenRow = typeof enrollmentTokens.$inferSelect;

/**
 * Whether a token still enrolls machines. Revoked wins over used, used over
 * expired: the listing shows the reason that happened first to matter.
 * `POST /v1/register` must accept exactly the `active` tokens.
 */
export function enrollmentTokenState(row: TokenRow, now: Date): EnrollmentTokenState {
  if (row.revokedAt) return "revoked";
  const limit = row.reusable ? row.maxUses : 1;
  if (limit !== null && row.uses >= limit) return "used";
  if (row.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

export const EnrollmentToken = z
  .object({
    id: z.uuid(),
    name: z.string(),
    token_hint: z.string().openapi({ description: "Prefix and first characters of the token" }),
    reusable: z.boolean(),
    max_uses: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Cap on registrations; 1 for one-time tokens, null = no cap" }),
    uses: z.number().int(),
    groups: z.array(z.string()).openapi({ description: "Groups every enrolled node joins" }),
    state: z.enum(TOKEN_STATES),
    expires_at: z.string(),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi("EnrollmentToken");

export function toEnrollmentToken(row: TokenRow, now: Date): z.infer<typeof EnrollmentToken> {
  return {
    id: row.id,
    name: row.name,
    token_hint: row.tokenHint,
    reusable: row.reusable,
    max_uses: row.reusable ? row.maxUses : 1,
    uses: row.uses,
    groups: row.groups,
    state: enrollmentTokenState(row, now),
    expires_at: row.expiresAt.toISOString(),
    created_at: row.createdAt.toISOString(),
    revoked_at: iso(row.revokedAt),
  };
}
