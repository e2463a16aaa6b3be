import type { TelemetryBatchInput } from "@tether/schema/wire";
import { httpOutcome } from "../spool/http.ts";
import type { SendOutcome } from "../spool/sender.ts";

/** Seconds one POST may take before it counts as failed (and is retried). */
const TIMEOUT_MS = 30_000;

export interface IngestTarget {
  /** The control plane's base URL, e.g. `https://tether.example.com`. */
  server: string;
  /** A `tk_ingest_` key bound to the batch's app. Sent only in the Authorization header. */
  key: string;
  fetch?: typeof fetch;
}

/**
 * `POST /api/telemetry/ingest` of one batch under its spool id (body
 * `batch_id` and `Idempotency-Key`), mapped to a spool outcome.
 *
 * @example
 * const send = ingestSender({ server, key });
 * await send({ app_id: "openclaw-1", file_events: [...] }, "node-1-…", signal); // { kind: "sent" }
 */
export function ingestSender(target: IngestTarget) {
  const url = new URL("/api/telemetry/ingest", target.server).toString();
  const doFetch = target.fetch ?? fetch;
  return async (
    batch: TelemetryBatchInput,
    batchId: string,
    signal: AbortSignal,
  ): Promise<SendOutcome> => {
    const res = await doFetch(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${target.key}`,
        "content-type": "application/json",
        "idempotency-key": batchId,
      },
      body: JSON.stringify({ ...batch, batch_id: batchId }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
    });
    return httpOutcome(res);
  };
}
