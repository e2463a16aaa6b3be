import { signingKeys } from "@tether/schema/tables";
import type { SigningKeyInfo } from "@tether/schema/wire";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Tx } from "./audit.ts";
import { fromBase64, toBase64, toHex } from "./base64.ts";

/**
 * Per-org Ed25519 signing keys (WebCrypto). The private key (PKCS#8) is
 * stored encrypted with AES-GCM under a key derived (HKDF-SHA-256) from the
 * Worker secret SIGNING_KEY_SECRET and the org id.
 */
export interface Signer {
  keyId: string;
  sign(data: Uint8Array): Promise<string>;
}

type KeyRow = typeof signingKeys.$inferSelect;

/** The columns of a stored key a signer is made from. */
export type StoredKey = Pick<KeyRow, "id" | "orgId" | "publicKey" | "privateKeyEncrypted">;

async function wrappingKey(secret: string, orgId: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    "HKDF",
    false,
    ["deriveKey"],
  );
  return crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new TextEncoder().encode(orgId),
      info: new TextEncoder().encode("tether signing key v1"),
    },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Short fingerprint of a raw public key. */
export async function keyIdOf(publicKeyRaw: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", publicKeyRaw));
  return toHex(digest.subarray(0, 8));
}

/** A new key pair, the private half encrypted for storage. */
export async function newOrgKey(
  secret: string,
  orgId: string,
): Promise<{ publicKey: string; privateKeyEncrypted: string }> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  const pkcs8 = new Uint8Array(
    (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer,
  );
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await wrappingKey(secret, orgId), pkcs8),
  );
  const blob = new Uint8Array(iv.length + sealed.length);
  blob.set(iv);
  blob.set(sealed, iv.length);
  return { publicKey: toBase64(raw), privateKeyEncrypted: toBase64(blob) };
}

/** Imported keys by row id: key material never changes, so they never go stale. */
const signerCache = new Map<string, Signer>();

export async function signerFor(row: StoredKey, secret: string): Promise<Signer> {
  const cached = signerCache.get(row.id);
  if (cached) return cached;
  const signer = await importSigner(row, secret);
  if (signerCache.size > 10_000) signerCache.clear();
  signerCache.set(row.id, signer);
  return signer;
}

async function importSigner(row: StoredKey, secret: string): Promise<Signer> {
  const blob = fromBase64(row.privateKeyEncrypted);
  let pkcs8: ArrayBuffer;
  try {
    pkcs8 = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: blob.subarray(0, 12) },
      await wrappingKey(secret, row.orgId),
      blob.subarray(12),
    );
  } catch {
    throw new Error(
      "cannot decrypt the org's signing key: SIGNING_KEY_SECRET differs from the one it was stored with",
    );
  }
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  const keyId = await keyIdOf(fromBase64(row.publicKey));
  return {
    keyId,
    sign: async (data) =>
      toBase64(new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, data))),
  };
}

/** The org's active key, created on first use (inside the caller's org-locked transaction). */
export async function activeSigner(tx: Tx, orgId: string, secret: string): Promise<Signer> {
  const [row] = await tx
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.orgId, orgId), eq(signingKeys.status, "active")))
    .orderBy(desc(signingKeys.createdAt))
    .limit(1);
  if (row) return signerFor(row, secret);
  const fresh = await newOrgKey(secret, orgId);
  const [created] = await tx
    .insert(signingKeys)
    .values({ orgId, status: "active", ...fresh })
    .returning();
  return signerFor(created!, secret);
}

/**
 * Signers by key_id for replays; a key that no longer exists (or an event
 * stored before keys were recorded) falls back to the active key.
 */
export async function signersFor(
  tx: Tx,
  orgId: string,
  secret: string,
  keyIds: Iterable<string | null>,
): Promise<(keyId: string | null) => Signer> {
  const active = await activeSigner(tx, orgId, secret);
  const wanted = new Set([...keyIds].filter((k): k is string => k !== null && k !== active.keyId));
  const byId = new Map<string, Signer>([[active.keyId, active]]);
  if (wanted.size > 0) {
    const rows = await tx.select().from(signingKeys).where(eq(signingKeys.orgId, orgId));
    for (const row of rows) {
      const id = await keyIdOf(fromBase64(row.publicKey));
      if (wanted.has(id)) byId.set(id, await signerFor(row, secret));
    }
  }
  return (keyId) => (keyId ? byId.get(keyId) : undefined) ?? active;
}

/** Keys agents should trust now: the active one and previous ones still in their window. */
export async function trustedKeys(tx: Tx, orgId: string, now: Date): Promise<SigningKeyInfo[]> {
  const rows = await tx
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.orgId, orgId), inArray(signingKeys.status, ["active", "previous"])))
    .orderBy(desc(signingKeys.createdAt));
  const out: SigningKeyInfo[] = [];
  for (const row of rows) {
    if (row.status === "previous" && row.retiresAt && row.retiresAt <= now) continue;
    out.push({
      key_id: await keyIdOf(fromBase64(row.publicKey)),
      public_key: row.publicKey,
      status: row.status as "active" | "previous",
      retires_at: row.retiresAt ? row.retiresAt.toISOString() : null,
    });
  }
  return out;
}

/**
 * Makes a new active key; the old one stays trusted for `transitionSeconds`.
 * Returns the signer of the *old* key (it signs the rotation event, which
 * agents can verify with what they already trust) and the new signer.
 */
export async function rotateKey(
  tx: Tx,
  orgId: string,
  secret: string,
  now: Date,
  transitionSeconds: number,
): Promise<{ previous: Signer; next: Signer }> {
  const previous = await activeSigner(tx, orgId, secret);
  await tx
    .update(signingKeys)
    .set({ status: "previous", retiresAt: new Date(now.getTime() + transitionSeconds * 1000) })
    .where(and(eq(signingKeys.orgId, orgId), eq(signingKeys.status, "active")));
  const fresh = await newOrgKey(secret, orgId);
  const [created] = await tx
    .insert(signingKeys)
    .values({ orgId, status: "active", createdAt: now, ...fresh })
    .returning();
  return { previous, next: await signerFor(created!, secret) };
}
