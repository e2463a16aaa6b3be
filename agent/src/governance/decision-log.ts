import type { DecisionIngestResult, DecisionLogEntry } from "@tether/schema/wire";
import type { Logger } from "../log.ts";
import { httpOutcome, type SendOutcome, type Spool, type SpooledBatch } from "../spool/index.ts";

/** What one spooled batch of decisions holds. */
export interface DecisionBatchPayload {
  decisions: DecisionLogEntry[];
}

export interface DecisionLogOptions {
  spool: Spool<DecisionBatchPayload>;
  log: Logger;
  /** Entries per batch (the control plane takes at most 1000). */
  maxBatchEntries?: number;
  /** Bytes of entries per batch, kept well under the control plane's 1 MiB body limit. */
  maxBatchBytes?: number;
  /** A partly filled batch is sealed after this long (ms). */
  flushAfterMs?: number;
  /** Entries held in memory while the spool is full; past it the oldest are dropped (counted). */
  maxHeldEntries?: number;
}

/**
 * The local decision log: entries gather in memory and are sealed into the
 * disk spool in batches (by count, by bytes, or after `flushAfterMs`, and on
 * `close()`), from where a {@link decisionSender} ships them. Each entry keeps
 * the decision id it was made with, so a batch sent twice is stored once.
 *
 * Only what is still in memory can be lost, on a crash, at most
 * `flushAfterMs` of decisions; a full spool holds entries in memory up to
 * `maxHeldEntries`, then drops the oldest with a warning (counted in `dropped`).
 */
export class DecisionLog {
  readonly #o: Required<Omit<DecisionLogOptions, "spool" | "log">> &
    Pick<DecisionLogOptions, "spool" | "log">;
  #held: { entry: DecisionLogEntry; bytes: number }[] = [];
  #heldBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #dropping = false;
  readonly counters = { logged: 0, sealed: 0, dropped: 0 };

  constructor(opts: DecisionLogOptions) {
    this.#o = {
      maxBatchEntries: 500,
      maxBatchBytes: 512 * 1024,
      flushAfterMs: 1000,
      maxHeldEntries: 10_000,
      ...opts,
    };
  }

  /** Entries not yet sealed into the spool. */
  get held(): number {
    return this.#held.length;
  }

  add(entry: DecisionLogEntry): void {
    const bytes = Buffer.byteLength(JSON.stringify(entry));
    this.#held.push({ entry, bytes });
    this.#heldBytes += bytes;
    this.counters.logged++;
    if (this.#held.length >= this.#o.maxBatchEntries || this.#heldBytes >= this.#o.maxBatchBytes) {
      this.flush();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), this.#o.flushAfterMs);
      this.#timer.unref();
    }
    this.#bound();
  }

  /** Seals what is held into batches; keeps what the spool refuses (it is full). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#held.length > 0) {
      let n = 0;
      let bytes = 0;
      while (n < this.#held.length && n < this.#o.maxBatchEntries) {
        const next = this.#held[n]!.bytes;
        if (n > 0 && bytes + next > this.#o.maxBatchBytes) break;
        bytes += next;
        n++;
      }
      const sealed = this.#o.spool.seal({ decisions: this.#held.slice(0, n).map((h) => h.entry) });
      if (!sealed.ok) {
        // Full: try again later; entries wait in memory (bounded).
        this.#timer = setTimeout(() => this.flush(), this.#o.flushAfterMs * 5);
        this.#timer.unref();
        return;
      }
      this.#held.splice(0, n);
      this.#heldBytes -= bytes;
      this.counters.sealed += n;
    }
  }

  /** Seals everything held (on shutdown: the spool keeps it for the next start). */
  close(): void {
    this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #bound(): void {
    const over = this.#held.length - this.#o.maxHeldEntries;
    if (over <= 0) {
      this.#dropping = false;
      return;
    }
    for (const h of this.#held.splice(0, over)) this.#heldBytes -= h.bytes;
    this.counters.dropped += over;
    if (!this.#dropping) {
      this.#o.log.warn("decision log: spool full and memory bound reached; dropping oldest", {
        held: this.#held.length,
        dropped_total: this.counters.dropped,
      });
    }
    this.#dropping = true;
  }
}

/**
 * The `send` of the decision-log spool's Sender: one batch to
 * `POST /v1/nodes/{id}/decisions`. A batch the control plane already had
 * (every entry a duplicate) counts as a duplicate delivery.
 *
 * @example
 * new Sender({ spool, log, name: "decisions", send: decisionSender({ url, headers }) });
 */
export function decisionSender(opts: {
  url: string;
  headers: () => Record<string, string>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): (batch: SpooledBatch<DecisionBatchPayload>, signal: AbortSignal) => Promise<SendOutcome> {
  const fetchFn = opts.fetch ?? fetch;
  return async (batch, signal) => {
    const res = await fetchFn(opts.url, {
      method: "POST",
      headers: { ...opts.headers(), "content-type": "application/json" },
      body: JSON.stringify({ batch_id: batch.id, decisions: batch.payload.decisions }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs ?? 30_000)]),
    });
    if (!res.ok) return httpOutcome(res);
    const result = (await res.json().catch(() => ({}))) as Partial<DecisionIngestResult>;
    return { kind: "sent", duplicate: result.stored === 0 && (result.duplicates ?? 0) > 0 };
  };
}
