import { DurableObject } from "cloudflare:workers";
import { FixedWindow, type RateDecision } from "./fixed-window.ts";

/**
 * One RateLimiter per ingest key (`idFromName(keyId)`). A Durable Object is
 * the one place in workerd where a counter is both shared by every isolate
 * and updated without a race, and it keeps the counting out of Postgres (no
 * write per request on the database the batches themselves need). The
 * window lives in memory: if the object is evicted, the key starts a fresh
 * window, which errs towards accepting.
 */
export class RateLimiter extends DurableObject {
  readonly #window = new FixedWindow();

  hit(limit: number): RateDecision {
    return this.#window.hit(limit, Date.now());
  }
}
