import { webcrypto } from "node:crypto";
import { Envelope, type SigningKeyInfo, signingBytes } from "@tether/schema/wire";
import { NonceStore } from "./nonce-store.ts";

/** Why an envelope was refused. Each refusal changes nothing. */
export type Rejection = "malformed" | "untrusted" | "forged" | "stale" | "replayed" | "old_seq";

export type Verdict =
  | { ok: true; envelope: Envelope; payload: unknown }
  | { ok: false; reason: Rejection; detail: string; seq?: number };

export interface VerifierOptions {
  dataDir: string;
  /** How old `issued_at` may be (default 5 min). */
  staleWindowMs?: number;
  /** How far in the future `issued_at` may be, for clock skew (default 60 s). */
  futureSkewMs?: number;
  now?: () => Date;
}

interface TrustedKey {
  info: SigningKeyInfo;
  key: webcrypto.CryptoKey;
}

/**
 * Checks event envelopes in this order: shape, trusted key, Ed25519 signature
 * over the exact signed bytes, freshness of `issued_at`, nonce, sequence —
 * and only then parses the payload (DESIGN.md §6).
 *
 * @example
 * const verifier = new EnvelopeVerifier({ dataDir });
 * await verifier.setKeys(state.signing_keys);
 * const v = await verifier.verify(sseData);
 * if (v.ok) apply(v.envelope.event_type, v.payload);
 */
export class EnvelopeVerifier {
  readonly #staleMs: number;
  readonly #skewMs: number;
  readonly #now: () => Date;
  readonly #nonces: NonceStore;
  #keys: TrustedKey[] = [];

  constructor(opts: VerifierOptions) {
    this.#staleMs = opts.staleWindowMs ?? 5 * 60_000;
    this.#skewMs = opts.futureSkewMs ?? 60_000;
    this.#now = opts.now ?? (() => new Date());
    this.#nonces = new NonceStore(opts.dataDir, this.#staleMs + this.#skewMs);
  }

  /** The last accepted sequence number (-1 before any): resume the stream after it. */
  get lastSeq(): number {
    return this.#nonces.lastSeq;
  }

  /** After a verified full state: trust its keys and continue after its sequence number. */
  async resetFromState(state: { seq: number; signing_keys: SigningKeyInfo[] }): Promise<void> {
    await this.setKeys(state.signing_keys);
    this.#nonces.resetSeq(state.seq);
  }

  /** Replaces the trusted keys (from enrollment, state, or a verified `signing_key_rotated`). */
  async setKeys(keys: readonly SigningKeyInfo[]): Promise<void> {
    const out: TrustedKey[] = [];
    for (const info of keys) {
      try {
        const raw = Buffer.from(info.public_key, "base64");
        if (raw.length !== 32) continue;
        const key = await webcrypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, [
          "verify",
        ]);
        out.push({ info, key });
      } catch {
        // A key that does not import cannot verify anything; skip it.
      }
    }
    this.#keys = out;
  }

  /** Key ids trusted at this moment (previous keys only until their `retires_at`). */
  trustedKeyIds(): string[] {
    return this.#trusted(this.#now().getTime()).map((k) => k.info.key_id);
  }

  /** Verifies one SSE `data:` text. On success the nonce and sequence are recorded (on disk). */
  async verify(data: string): Promise<Verdict> {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return { ok: false, reason: "malformed", detail: "data is not JSON" };
    }
    const shape = Envelope.safeParse(json);
    if (!shape.success) {
      const issue = shape.error.issues[0];
      return {
        ok: false,
        reason: "malformed",
        detail: `envelope: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
      };
    }
    const envelope = shape.data;
    const seq = envelope.seq;
    const nowMs = this.#now().getTime();
    const trusted = this.#trusted(nowMs);
    if (trusted.length === 0) {
      return { ok: false, reason: "untrusted", detail: "no trusted signing key", seq };
    }
    if (!(await this.#signatureValid(envelope, trusted))) {
      return {
        ok: false,
        reason: "forged",
        detail: `signature does not verify with any trusted key (key_id ${envelope.key_id ?? "none"})`,
        seq,
      };
    }
    const issuedMs = Date.parse(envelope.issued_at);
    if (Number.isNaN(issuedMs)) {
      return { ok: false, reason: "malformed", detail: "issued_at is not a time", seq };
    }
    if (nowMs - issuedMs > this.#staleMs) {
      return { ok: false, reason: "stale", detail: `issued ${nowMs - issuedMs} ms ago`, seq };
    }
    if (issuedMs - nowMs > this.#skewMs) {
      return {
        ok: false,
        reason: "stale",
        detail: `issued ${issuedMs - nowMs} ms in the future`,
        seq,
      };
    }
    if (this.#nonces.has(envelope.nonce)) {
      return { ok: false, reason: "replayed", detail: "nonce seen before", seq };
    }
    const isSnapshot = envelope.event_type === "snapshot_required";
    if (!isSnapshot && envelope.event_type !== "ping" && seq <= this.#nonces.lastSeq) {
      return {
        ok: false,
        reason: "old_seq",
        detail: `seq ${seq} is not after the last applied ${this.#nonces.lastSeq}`,
        seq,
      };
    }
    let payload: unknown;
    try {
      payload = JSON.parse(envelope.payload);
    } catch {
      return { ok: false, reason: "malformed", detail: "payload is not JSON", seq };
    }
    this.#nonces.record(envelope.nonce, issuedMs, isSnapshot ? undefined : seq, nowMs);
    return { ok: true, envelope, payload };
  }

  #trusted(nowMs: number): TrustedKey[] {
    return this.#keys.filter(
      (k) =>
        k.info.status === "active" ||
        k.info.retires_at === null ||
        Date.parse(k.info.retires_at) > nowMs,
    );
  }

  async #signatureValid(envelope: Envelope, trusted: TrustedKey[]): Promise<boolean> {
    let signature: Buffer;
    try {
      signature = Buffer.from(envelope.signature, "base64");
    } catch {
      return false;
    }
    if (signature.length !== 64) return false;
    const bytes = signingBytes(envelope);
    // The key_id is only a hint: try the named key first, then the others.
    const ordered = [...trusted].sort(
      (a, b) =>
        Number(b.info.key_id === envelope.key_id) - Number(a.info.key_id === envelope.key_id),
    );
    for (const { key } of ordered) {
      if (await webcrypto.subtle.verify({ name: "Ed25519" }, key, signature, bytes)) return true;
    }
    return false;
  }
}
