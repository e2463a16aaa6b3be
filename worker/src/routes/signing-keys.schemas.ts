import { z } from "@hono/zod-openapi";
import { desc, eq } from "drizzle-orm";
import { signingKeys } from "@tether/schema/tables";
import type { Tx } from "../services/audit.ts";
import { fromBase64 } from "../services/base64.ts";
import { keyIdOf } from "../services/signing.ts";
import { iso } from "./common.ts";

export const SIGNING_KEY_STATUSES = ["active", "previous", "retired"] as const;

/** A public signing key; the private half never leaves the database encrypted. */
export const SigningKey = z
  .object({
    key_id: z.string().openapi({ description: "First 16 hex chars of SHA-256(raw public key)" }),
    public_key: z.string().openapi({ description: "Base64 of the raw 32-byte Ed25519 public key" }),
    status: z.enum(SIGNING_KEY_STATUSES).openapi({
      description:
        "`active` signs new events; `previous` still verifies until `retires_at`; `retired` verifies nothing",
    }),
    created_at: z.string(),
    retires_at: z.string().nullable(),
  })
  .openapi("SigningKey");
export type SigningKeyView = z.infer<typeof SigningKey>;

/** Every key the org ever had, the active one first, then newest first, with `previous` keys past their window shown `retired`. */
export async function listSigningKeys(tx: Tx, orgId: string, now: Date): Promise<SigningKeyView[]> {
  const rows = await tx
    .select()
    .from(signingKeys)
    .where(eq(signingKeys.orgId, orgId))
    .orderBy(desc(signingKeys.createdAt), desc(signingKeys.id));
  // Active first: creation times can tie or interleave when a rotation makes the org's first key.
  rows.sort((a, b) => Number(b.status === "active") - Number(a.status === "active"));
  return Promise.all(
    rows.map(async (row) => {
      const lapsed = row.status === "previous" && row.retiresAt !== null && row.retiresAt <= now;
      return {
        key_id: await keyIdOf(fromBase64(row.publicKey)),
        public_key: row.publicKey,
        status: lapsed ? "retired" : row.status,
        created_at: row.createdAt.toISOString(),
        retires_at: iso(row.retiresAt),
      };
    }),
  );
}
