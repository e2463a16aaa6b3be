/**
 * Reconnect delays: exponential backoff with full jitter
 * (`random() * min(cap, base * 2^attempt)`), never shorter than the server's
 * `retry:` when it sent one.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random?: () => number;
}

export function backoffDelay(
  attempt: number,
  serverRetryMs: number | undefined,
  opts: BackoffOptions,
): number {
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const jittered = Math.floor(random() * ceiling);
  return Math.max(serverRetryMs ?? 0, jittered);
}
