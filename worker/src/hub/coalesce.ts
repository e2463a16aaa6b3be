import type { Delivery } from "../services/events.ts";

/**
 * Orders a burst of deliveries by sequence and drops the ones a newer
 * delivery with the same coalesce key supersedes, and any older than what
 * was already sent for that key, so a node never receives a stale event
 * after a newer one.
 */
export class Coalescer {
  readonly #lastSent = new Map<string, number>();

  take(pending: readonly Delivery[]): Delivery[] {
    const newest = new Map<string, number>();
    for (const d of pending) {
      if (d.coalesceKey)
        newest.set(d.coalesceKey, Math.max(newest.get(d.coalesceKey) ?? -1, d.seq));
    }
    const out = pending
      .filter((d) => {
        if (!d.coalesceKey) return true;
        if (newest.get(d.coalesceKey) !== d.seq) return false;
        return (this.#lastSent.get(d.coalesceKey) ?? -1) < d.seq;
      })
      .sort((a, b) => a.seq - b.seq);
    for (const d of out) if (d.coalesceKey) this.#lastSent.set(d.coalesceKey, d.seq);
    return out;
  }
}

/** The SSE frame of a delivery; the Worker passes it through unchanged. */
export function sseFrame(d: Pick<Delivery, "seq" | "eventType" | "data">): string {
  return `id: ${d.seq}\nevent: ${d.eventType}\ndata: ${d.data}\n\n`;
}
