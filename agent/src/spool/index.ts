/**
 * A disk spool of batches and the loop that delivers them, knowing nothing
 * of what a batch holds. The agent's telemetry shipper and its decision-log
 * shipper both use it.
 *
 * - `Spool.seal(payload)` writes one batch file (temp + fsync + rename, 0600)
 *   under a fresh id that never changes: a retry, or a restart that finds the
 *   file again, sends the same id, so a receiver that dedupes by id stores it
 *   once. When the spool is at `maxBytes`/`maxBatches` it refuses new batches
 *   (`{ ok: false, reason: "full" }`, one warning per episode) instead of
 *   deleting unsent ones; the caller holds on to its input and tries later.
 * - `Sender` takes the oldest batch and calls `send(batch, signal)`:
 *   `sent` deletes the file; `retry` waits `retryAfterMs` (a 429's
 *   `Retry-After`) or a full-jitter exponential backoff up to `capMs`, then
 *   tries the same batch again (a throw counts as `retry`); `rejected` moves it
 *   to `<dir>/rejected/` beside a `.error.json` with the reason, logs an error,
 *   and goes on with the next one (at most `maxRejected` are kept; the oldest
 *   beyond that is deleted with a warning).
 * - `httpOutcome(response)` maps an HTTP answer to an outcome (2xx sent, 429
 *   retry after `Retry-After`, 400/403/413/415/422 rejected, the rest retry).
 * - `sender.status()` (and, with `status: { dataDir }`, the file
 *   `<dataDir>/spool-status/<name>.json` that `tether-agent status` prints)
 *   counts batches spooled, refused, sent, duplicates, retried, rejected.
 *
 * @example
 * const spool = new Spool<{ decisions: Decision[] }>({ dir: join(dataDir, "spool", "decisions"), log });
 * const sender = new Sender({
 *   spool, log, name: "decisions", status: { dataDir },
 *   send: async (batch, signal) =>
 *     httpOutcome(await fetch(`${server}/api/decisions/ingest`, {
 *       method: "POST", signal,
 *       headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "idempotency-key": batch.id },
 *       body: JSON.stringify({ batch_id: batch.id, ...batch.payload }),
 *     })),
 * });
 * sender.start();
 * const sealed = spool.seal({ decisions }); // sealed.ok === false: full, keep them and try later
 * await sender.stop(); // on shutdown; unsent batches stay on disk for the next start
 */
export { type Clock, FakeClock, systemClock } from "./clock.ts";
export { httpOutcome, parseRetryAfter } from "./http.ts";
export { Sender, type SenderOptions, type SendOutcome } from "./sender.ts";
export { type SealResult, Spool, type SpooledBatch, type SpoolOptions } from "./spool.ts";
export { readSpoolStatuses, type SpoolStatus, writeSpoolStatus } from "./status.ts";
