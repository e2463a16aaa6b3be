import { describe, expect, it } from "vitest";
import { PingLog } from "./ping-log.ts";

describe("PingLog", () => {
  it("reports who answered with their round trip, fastest first, and who did not", () => {
    const log = new PingLog();
    log.sent("p1", ["a", "b", "c"], 1000);
    expect(log.answered("p1", "b", 1012)).toBe(true);
    expect(log.answered("p1", "a", 1005)).toBe(true);
    expect(log.result("p1")).toEqual({
      id: "p1",
      sent_at: new Date(1000).toISOString(),
      sent: 3,
      answered: [
        { node_id: "a", rtt_ms: 5 },
        { node_id: "b", rtt_ms: 12 },
      ],
      missing: ["c"],
    });
  });

  it("counts a node's first answer only", () => {
    const log = new PingLog();
    log.sent("p1", ["a"], 0);
    log.answered("p1", "a", 3);
    log.answered("p1", "a", 9);
    expect(log.result("p1")?.answered).toEqual([{ node_id: "a", rtt_ms: 3 }]);
  });

  it("refuses answers to unknown pings and from nodes the ping was not sent to", () => {
    const log = new PingLog();
    log.sent("p1", ["a"], 0);
    expect(log.answered("nope", "a", 1)).toBe(false);
    expect(log.answered("p1", "stranger", 1)).toBe(false);
    expect(log.result("p1")?.answered).toEqual([]);
    expect(log.result("nope")).toBeNull();
  });

  it("forgets the oldest ping beyond its capacity", () => {
    const log = new PingLog(2);
    log.sent("p1", ["a"], 0);
    log.sent("p2", ["a"], 0);
    log.sent("p3", ["a"], 0);
    expect(log.result("p1")).toBeNull();
    expect(log.result("p2")).not.toBeNull();
    expect(log.answered("p1", "a", 1)).toBe(false);
  });
});
