import { z } from "zod";

/**
 * Agent events travel as signed envelopes (DESIGN.md §6). `payload` is a
 * JSON string; the Ed25519 signature covers the exact UTF-8 bytes of
 * {@link signingText}, so the agent verifies before it parses anything.
 */
export const EVENT_TYPES = [
  "policy_updated",
  "peer_added",
  "peer_removed",
  "peer_updated",
  "node_updated",
  "rego_policy_updated",
  "signing_key_rotated",
  "snapshot_required",
  "ping",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const Envelope = z
  .object({
    event_type: z.enum(EVENT_TYPES),
    event_id: z.string().min(1).max(64),
    /** The org's event sequence number; also the SSE `id:`. */
    seq: z.number().int().nonnegative(),
    /** RFC 3339 time of signing. */
    issued_at: z.string().min(1).max(40),
    /** 16 random bytes, base64url: a replayed envelope is recognised by it. */
    nonce: z.string().min(16).max(64),
    payload: z.string(),
    /** Base64 of the 64-byte Ed25519 signature. */
    signature: z.string().min(1).max(200),
    /** Which org signing key signed it (a hint; every trusted key may be tried). */
    key_id: z.string().max(64).optional(),
  })
  .strict();
export type Envelope = z.infer<typeof Envelope>;

/** The exact text that is signed. */
export function signingText(e: Omit<Envelope, "signature" | "key_id">): string {
  return `tether-v1\n${e.event_type}\n${e.event_id}\n${e.seq}\n${e.issued_at}\n${e.nonce}\n${e.payload}`;
}

export function signingBytes(e: Omit<Envelope, "signature" | "key_id">): Uint8Array {
  return new TextEncoder().encode(signingText(e));
}

/** A public key agents trust, as state and enrollment deliver it. */
export interface SigningKeyInfo {
  /** Short fingerprint: first 16 hex chars of SHA-256(raw public key). */
  key_id: string;
  /** Base64 of the raw 32-byte Ed25519 public key. */
  public_key: string;
  status: "active" | "previous";
  /** For `previous` keys: not to be trusted after this time. */
  retires_at: string | null;
}
