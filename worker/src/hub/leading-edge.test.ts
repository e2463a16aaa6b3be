import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LeadingEdge } from "./leading-edge.ts";

describe("LeadingEdge", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("flushes an isolated request on the next turn, without waiting for the gap", () => {
    const flushes: number[] = [];
    const edge = new LeadingEdge(4, () => flushes.push(Date.now()), Date.now);
    const t0 = Date.now();
    edge.request();
    expect(flushes).toEqual([]); // not synchronously: same-turn requests join it
    vi.advanceTimersByTime(0);
    expect(flushes).toEqual([t0]);
  });

  it("merges requests made in the same turn into one flush", () => {
    let flushes = 0;
    const edge = new LeadingEdge(4, () => flushes++, Date.now);
    edge.request();
    edge.request();
    edge.request();
    vi.advanceTimersByTime(0);
    expect(flushes).toBe(1);
  });

  it("holds requests that follow a flush within the gap and flushes them together at its end", () => {
    const flushes: number[] = [];
    const edge = new LeadingEdge(4, () => flushes.push(Date.now()), Date.now);
    const t0 = Date.now();
    edge.request();
    vi.advanceTimersByTime(0);
    vi.advanceTimersByTime(1);
    edge.request();
    vi.advanceTimersByTime(1);
    edge.request();
    vi.advanceTimersByTime(1);
    expect(flushes).toEqual([t0]);
    vi.advanceTimersByTime(1);
    expect(flushes).toEqual([t0, t0 + 4]);
  });

  it("flushes at once again once the gap has passed", () => {
    const flushes: number[] = [];
    const edge = new LeadingEdge(4, () => flushes.push(Date.now()), Date.now);
    edge.request();
    vi.advanceTimersByTime(10);
    const t1 = Date.now();
    edge.request();
    vi.advanceTimersByTime(0);
    expect(flushes.at(-1)).toBe(t1);
    expect(flushes).toHaveLength(2);
  });
});
