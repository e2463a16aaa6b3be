/** The answer for one request against a key's budget. */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the current window ends (the `Retry-After` of a 429). */
  retryAfterSeconds: number;
  /** True for the first request of a window (callers do once-per-window work then). */
  windowStarted: boolean;
}

export const RATE_WINDOW_MS = 60_000;

/**
 * A fixed-window counter: the window opens with the first request after the
 * previous one closed and lasts {@link RATE_WINDOW_MS}. Pure, so the Durable
 * Object and the unit tests share it.
 */
export class FixedWindow {
  #start = Number.NEGATIVE_INFINITY;
  #count = 0;

  hit(limit: number, now: number): RateDecision {
    let windowStarted = false;
    if (now >= this.#start + RATE_WINDOW_MS) {
      this.#start = now;
      this.#count = 0;
      windowStarted = true;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((this.#start + RATE_WINDOW_MS - now) / 1000));
    if (this.#count >= limit) return { allowed: false, retryAfterSeconds, windowStarted };
    this.#count++;
    return { allowed: true, retryAfterSeconds, windowStarted };
  }
}
