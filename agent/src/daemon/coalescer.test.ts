import { describe, expect, it } from "vitest";
import { memoryLogger } from "../log.ts";
import { Coalescer } from "./coalescer.ts";

describe("Coalescer", () => {
  it("runs one at a time and folds triggers during a run into one follow-up", async () => {
    const seen: string[][] = [];
    let active = 0;
    let maxActive = 0;
    const c = new Coalescer(
      async (reasons) => {
        active++;
        maxActive = Math.max(maxActive, active);
        seen.push(reasons);
        await new Promise((r) => setTimeout(r, 30));
        active--;
        return true;
      },
      { log: memoryLogger() },
    );
    c.trigger("event");
    c.trigger("timer");
    c.trigger("event");
    c.trigger("reconnected");
    await c.idle();
    expect(maxActive).toBe(1);
    expect(seen).toEqual([["event"], ["timer", "event", "reconnected"]]);
  });

  it("retries failures with backoff until one succeeds", async () => {
    let calls = 0;
    const c = new Coalescer(async () => ++calls >= 3, {
      log: memoryLogger(),
      retryBaseMs: 10,
      retryCapMs: 40,
    });
    c.trigger("start");
    const end = Date.now() + 2000;
    while (calls < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    await c.idle();
    expect(calls).toBe(3);
    expect(c.failures).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(3);
  });

  it("counts a throwing run as a failure", async () => {
    let calls = 0;
    const log = memoryLogger();
    const c = new Coalescer(
      async () => {
        calls++;
        if (calls === 1) throw new Error("kaboom");
        return true;
      },
      { log, retryBaseMs: 10 },
    );
    c.trigger("start");
    const end = Date.now() + 2000;
    while (calls < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(calls).toBe(2);
    expect(log.lines[0]).toMatchObject({ level: "error", msg: "run failed", error: "kaboom" });
    await c.stop();
  });
});
