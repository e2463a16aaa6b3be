import type { Logger } from "../log.ts";
import { backoffDelay } from "../stream/backoff.ts";

/**
 * Runs one job at a time. Triggers that arrive while it runs fold into one
 * follow-up run; a failed run is retried with jittered backoff until one succeeds.
 *
 * @example
 * const c = new Coalescer(async (reasons) => (await reconcile()).errors.length === 0, { log });
 * c.trigger("event"); c.trigger("timer"); // at most one run now and one after
 */
export class Coalescer {
  readonly #pending = new Set<string>();
  #running: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #failures = 0;
  #stopped = false;
  runs = 0;

  constructor(
    private readonly job: (reasons: string[]) => Promise<boolean>,
    private readonly opts: { log: Logger; retryBaseMs?: number; retryCapMs?: number },
  ) {}

  trigger(reason: string): void {
    if (this.#stopped) return;
    this.#pending.add(reason);
    if (!this.#running) this.#running = this.#drain();
  }

  /** Resolves when no run is in progress or pending. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  get failures(): number {
    return this.#failures;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#pending.clear();
    await this.idle();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.size > 0 && !this.#stopped) {
        const reasons = [...this.#pending];
        this.#pending.clear();
        clearTimeout(this.#retry);
        this.#retry = undefined;
        let ok = false;
        this.runs++;
        try {
          ok = await this.job(reasons);
        } catch (err) {
          this.opts.log.error("run failed", { reasons, error: err as Error });
        }
        if (ok) {
          this.#failures = 0;
        } else if (!this.#stopped) {
          const delay = backoffDelay(this.#failures, this.opts.retryBaseMs ?? 1000, {
            baseMs: this.opts.retryBaseMs ?? 1000,
            capMs: this.opts.retryCapMs ?? 60_000,
          });
          this.#failures++;
          this.#retry = setTimeout(() => this.trigger("retry"), delay);
        }
      }
    } finally {
      this.#running = undefined;
    }
  }
}
