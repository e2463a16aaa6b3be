import { join } from "node:path";
import { readJsonFile, writeJsonFile } from "../state/files.ts";

/**
 * Nonces of accepted envelopes with their `issued_at`, and the last accepted
 * sequence number, persisted under the data dir so a restarted agent still
 * refuses a replay. Only nonces young enough to pass the staleness check need
 * remembering; older ones are pruned, and the count is capped.
 */
export class NonceStore {
  readonly #path: string;
  readonly #seen = new Map<string, number>();
  #lastSeq = -1;

  constructor(
    dataDir: string,
    private readonly keepMs: number,
    private readonly max = 20_000,
  ) {
    this.#path = join(dataDir, "nonces.json");
    let raw: unknown;
    try {
      raw = readJsonFile(this.#path);
    } catch {
      raw = undefined; // Damaged: start empty; the staleness window still bounds replays.
    }
    const data = raw as { last_seq?: unknown; nonces?: unknown } | undefined;
    if (typeof data?.last_seq === "number") this.#lastSeq = data.last_seq;
    if (Array.isArray(data?.nonces)) {
      for (const entry of data.nonces) {
        if (Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "number") {
          this.#seen.set(entry[0], entry[1]);
        }
      }
    }
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  has(nonce: string): boolean {
    return this.#seen.has(nonce);
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Records an accepted envelope and writes the file before the event is acted on. */
  record(nonce: string, issuedAtMs: number, seq: number | undefined, nowMs: number): void {
    this.#seen.set(nonce, issuedAtMs);
    if (seq !== undefined) this.#lastSeq = Math.max(this.#lastSeq, seq);
    this.#prune(nowMs);
    this.#save();
  }

  /** After a full state fetch: resume the sequence from the state's. */
  resetSeq(seq: number): void {
    if (seq === this.#lastSeq) return;
    this.#lastSeq = seq;
    this.#save();
  }

  #prune(nowMs: number): void {
    for (const [nonce, at] of this.#seen) {
      if (nowMs - at > this.keepMs) this.#seen.delete(nonce);
    }
    // Maps iterate in insertion order: drop the oldest first.
    for (const nonce of this.#seen.keys()) {
      if (this.#seen.size <= this.max) break;
      this.#seen.delete(nonce);
    }
  }

  #save(): void {
    writeJsonFile(this.#path, { last_seq: this.#lastSeq, nonces: [...this.#seen] });
  }
}
