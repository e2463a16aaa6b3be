import { index, pgTable, text } from "drizzle-orm/pg-core";
import { at, createdAt, id, orgId } from "./columns.ts";

/**
 * Per-org Ed25519 keys that sign agent events. The private key is stored
 * encrypted (AES-GCM) under the Worker secret `SIGNING_KEY_SECRET`.
 */
export const signingKeys = pgTable(
  "signing_keys",
  {
    id: id(),
    orgId: orgId(),
    /** Base64 of the raw 32-byte public key. */
    publicKey: text("public_key").notNull(),
    /** base64(iv || AES-GCM ciphertext of the PKCS#8 private key). */
    privateKeyEncrypted: text("private_key_encrypted").notNull(),
    status: text("status", { enum: ["active", "previous", "retired"] }).notNull(),
    createdAt: createdAt(),
    /** For `previous` keys: agents stop accepting it after this time. */
    retiresAt: at("retires_at"),
  },
  (t) => [index("signing_keys_org_idx").on(t.orgId, t.status)],
);
