/**
 * Schedules flushes of a batch on the leading edge: an item that arrives
 * when nothing was flushed for `gapMs` is flushed on the next turn of the
 * event loop (so whatever arrives in the same turn joins it), and items
 * that arrive sooner wait until `gapMs` after the last flush and go out
 * together. An isolated write pays no window; a burst still coalesces.
 */
export class LeadingEdge {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastFlush = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly gapMs: number,
    private readonly flush: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Asks for a flush; several requests before it runs make one flush. */
  request(): void {
    if (this.#timer !== undefined) return;
    const wait = Math.max(0, this.#lastFlush + this.gapMs - this.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#lastFlush = this.now();
      this.flush();
    }, wait);
  }
}
