import { createHash, webcrypto } from "node:crypto";
import { randomBytes } from "node:crypto";
import type { Envelope, EventType, SigningKeyInfo } from "@tether/schema/wire";
import { signingBytes } from "@tether/schema/wire";

/** A signing key as the control plane holds one (tests of the agent). */
export interface TestSigner {
  info(status?: "active" | "previous", retiresAt?: string | null): SigningKeyInfo;
  seal(e: {
    type: EventType;
    seq: number;
    payload: unknown;
    issuedAt?: Date;
    nonce?: string;
    eventId?: string;
  }): Promise<Envelope>;
}

export async function newTestSigner(): Promise<TestSigner> {
  const pair = (await webcrypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const raw = Buffer.from(await webcrypto.subtle.exportKey("raw", pair.publicKey));
  const keyId = createHash("sha256").update(raw).digest("hex").slice(0, 16);
  return {
    info: (status = "active", retiresAt = null) => ({
      key_id: keyId,
      public_key: raw.toString("base64"),
      status,
      retires_at: retiresAt,
    }),
    async seal(e) {
      const unsigned = {
        event_type: e.type,
        event_id: e.eventId ?? webcrypto.randomUUID(),
        seq: e.seq,
        issued_at: (e.issuedAt ?? new Date()).toISOString(),
        nonce: e.nonce ?? randomBytes(16).toString("base64url"),
        payload: JSON.stringify(e.payload),
      };
      const sig = await webcrypto.subtle.sign(
        { name: "Ed25519" },
        pair.privateKey,
        signingBytes(unsigned),
      );
      return { ...unsigned, signature: Buffer.from(sig).toString("base64"), key_id: keyId };
    },
  };
}
