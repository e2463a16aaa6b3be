import type { Logger } from "../log.ts";
import { backoffDelay } from "../stream/backoff.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { Spool, SpooledBatch } from "./spool.ts";
import { type SpoolStatus, writeSpoolStatus } from "./status.ts";

/** What became of one attempt to deliver a batch; `send` returns it (a throw counts as `retry`). */
export type SendOutcome =
  /** Delivered (a `duplicate` is a batch the receiver already had): the file is deleted. */
  | { kind: "sent"; duplicate?: boolean }
  /** Try again later: after `retryAfterMs` when the receiver said so, else after a backoff. */
  | { kind: "retry"; reason: string; retryAfterMs?: number }
  /** Refused for good: the batch moves to `rejected/` and is not sent again. */
  | { kind: "rejected"; reason: string };

export interface SenderOptions<T> {
  spool: Spool<T>;
  send: (batch: SpooledBatch<T>, signal: AbortSignal) => Promise<SendOutcome>;
  log: Logger;
  /** Names the status file (`<status.dataDir>/spool-status/<name>.json`) and log lines. */
  name: string;
  /** Where to write the counters for `tether-agent status`; none when absent. */
  status?: { dataDir: string };
  clock?: Clock;
  /** Full-jitter exponential backoff after a failure: `random() * min(cap, base * 2^n)`. */
  backoff?: { baseMs?: number; capMs?: number };
  random?: () => number;
  /** Added to the status as `extra` (e.g. a shipper's source offsets). */
  extra?: () => Record<string, unknown>;
}

/**
 * Sends a spool's batches one at a time, oldest first, until stopped; see
 * `./index.ts` for the whole picture.
 */
export class Sender<T = unknown> {
  readonly #o: SenderOptions<T>;
  readonly #clock: Clock;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #kick: (() => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly counters = { sent: 0, duplicates: 0, retried: 0 };
  #failures = 0;
  #lastError: string | null = null;
  #lastSentAt: number | null = null;
  #nextAttemptAt: number | null = null;

  constructor(opts: SenderOptions<T>) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
  }

  start(): void {
    if (this.#loop) return;
    this.#unsubscribe = this.#o.spool.onSealed(() => this.#kick?.());
    this.#loop = this.#run();
  }

  /** Ends the loop; an attempt in flight is aborted (its batch stays spooled). */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#kick?.();
    this.#unsubscribe?.();
    await this.#loop;
    this.writeStatus();
  }

  /** Counters and the spool's state, as `tether-agent status` shows them. */
  status(): SpoolStatus {
    const spool = this.#o.spool;
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      name: this.#o.name,
      pending: spool.pending,
      pending_bytes: spool.pendingBytes,
      spooled: spool.counters.spooled,
      refused: spool.counters.refused,
      sent: this.counters.sent,
      duplicates: this.counters.duplicates,
      retried: this.counters.retried,
      rejected: spool.counters.rejected,
      rejected_on_disk: spool.rejectedOnDisk(),
      consecutive_failures: this.#failures,
      last_error: this.#lastError,
      last_sent_at: iso(this.#lastSentAt),
      next_attempt_at: iso(this.#nextAttemptAt),
      updated_at: new Date(this.#clock.now()).toISOString(),
      ...(this.#o.extra ? { extra: this.#o.extra() } : {}),
    };
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const batch = this.#o.spool.oldest();
      if (!batch) {
        await new Promise<void>((resolve) => {
          this.#kick = resolve;
        });
        this.#kick = undefined;
        continue;
      }
      let outcome: SendOutcome;
      try {
        outcome = await this.#o.send(batch, signal);
      } catch (err) {
        outcome = { kind: "retry", reason: (err as Error).message ?? String(err) };
      }
      if (signal.aborted) break;
      await this.#settle(batch, outcome, signal);
      this.writeStatus();
    }
  }

  async #settle(batch: SpooledBatch<T>, outcome: SendOutcome, signal: AbortSignal): Promise<void> {
    const log = this.#o.log;
    switch (outcome.kind) {
      case "sent":
        this.#o.spool.remove(batch);
        this.counters.sent++;
        if (outcome.duplicate) this.counters.duplicates++;
        this.#failures = 0;
        this.#lastSentAt = this.#clock.now();
        this.#nextAttemptAt = null;
        log.debug("batch sent", {
          spool: this.#o.name,
          batch_id: batch.id,
          duplicate: outcome.duplicate ?? false,
        });
        return;
      case "rejected":
        this.#o.spool.reject(batch, outcome.reason);
        this.#lastError = outcome.reason;
        this.#failures = 0;
        return;
      case "retry": {
        const delay =
          outcome.retryAfterMs ??
          backoffDelay(this.#failures, undefined, {
            baseMs: this.#o.backoff?.baseMs ?? 1000,
            capMs: this.#o.backoff?.capMs ?? 60_000,
            ...(this.#o.random ? { random: this.#o.random } : {}),
          });
        this.#failures++;
        this.counters.retried++;
        this.#lastError = outcome.reason;
        this.#nextAttemptAt = this.#clock.now() + delay;
        log.warn("batch not delivered; will retry", {
          spool: this.#o.name,
          batch_id: batch.id,
          reason: outcome.reason,
          attempt: this.#failures,
          retry_in_ms: delay,
        });
        this.writeStatus();
        await this.#clock.sleep(delay, signal);
      }
    }
  }

  /** Rewrites the status file now (the spool's owner calls it when its own counters move). */
  writeStatus(): void {
    if (!this.#o.status) return;
    try {
      writeSpoolStatus(this.#o.status.dataDir, this.status());
    } catch (err) {
      this.#o.log.debug("spool status not written", { spool: this.#o.name, error: err as Error });
    }
  }
}
