import { describe, expect, it } from "vitest";
import { FixedWindow, RATE_WINDOW_MS } from "./fixed-window.ts";

describe("FixedWindow", () => {
  it("allows `limit` requests per window, then answers the seconds left", () => {
    const w = new FixedWindow();
    expect(w.hit(2, 1000)).toEqual({ allowed: true, retryAfterSeconds: 60, windowStarted: true });
    expect(w.hit(2, 1500).allowed).toBe(true);
    expect(w.hit(2, 30_400)).toEqual({
      allowed: false,
      retryAfterSeconds: 31,
      windowStarted: false,
    });
    const next = w.hit(2, 1000 + RATE_WINDOW_MS);
    expect(next).toEqual({ allowed: true, retryAfterSeconds: 60, windowStarted: true });
  });

  it("never answers less than one second", () => {
    const w = new FixedWindow();
    w.hit(1, 0);
    expect(w.hit(1, RATE_WINDOW_MS - 1).retryAfterSeconds).toBe(1);
  });
});
