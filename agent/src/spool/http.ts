import type { SendOutcome } from "./sender.ts";

/**
 * Statuses that no retry can fix: the batch itself is wrong (400, 413, 415,
 * 422) or the key may not write it (403). 401 is not among them: a revoked or
 * mistyped key is fixed by the operator, and the spooled batches should then
 * still go out, so it is retried (with the backoff cap) and logged.
 */
const PERMANENT = new Set([400, 403, 413, 415, 422]);

/** Longest body excerpt kept in a rejection reason. */
const REASON_MAX = 2000;

/**
 * The outcome of an HTTP attempt: 2xx sent (`duplicate` read from a JSON body
 * that says so), 429 retried after `Retry-After`, permanent 4xx rejected with
 * the body as the reason, anything else retried after a backoff.
 *
 * @example
 * send: async (batch, signal) =>
 *   httpOutcome(await fetch(url, { method: "POST", body: JSON.stringify(batch.payload), signal }))
 */
export async function httpOutcome(res: Response, now = Date.now()): Promise<SendOutcome> {
  const body = await res.text().catch(() => "");
  if (res.ok) {
    let duplicate = false;
    try {
      duplicate = (JSON.parse(body) as { duplicate?: unknown }).duplicate === true;
    } catch {
      // A 2xx without a JSON body is still a delivery.
    }
    return { kind: "sent", duplicate };
  }
  const reason = `HTTP ${res.status}${body ? `: ${body.slice(0, REASON_MAX)}` : ""}`;
  if (PERMANENT.has(res.status)) return { kind: "rejected", reason };
  if (res.status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), now);
    return retryAfterMs === undefined
      ? { kind: "retry", reason }
      : { kind: "retry", reason, retryAfterMs };
  }
  return { kind: "retry", reason };
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or garbled. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
