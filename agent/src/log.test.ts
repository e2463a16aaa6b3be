import { describe, expect, it } from "vitest";
import { createLogger, memoryLogger } from "./log.ts";

describe("logger", () => {
  it("writes one JSON object per line with time, level, msg and fields", () => {
    const lines: string[] = [];
    const log = createLogger({
      level: "info",
      write: (l) => lines.push(l),
      now: () => new Date("2026-11-22T10:00:00Z"),
    });
    log.debug("hidden");
    log.child({ node_id: "n1" }).info("reconciled", { revision: 7, error: new Error("x") });
    expect(lines).toEqual([
      '{"time":"2026-11-22T10:00:00.000Z","level":"info","msg":"reconciled","node_id":"n1","revision":7,"error":"x"}',
    ]);
  });

  it("never prints a field that holds a secret", () => {
    const log = memoryLogger();
    log.info("joined", {
      credential: "tk_node_abc",
      token: "tk_enroll_abc",
      private_key: "k",
      authorization: "Bearer x",
      node_id: "n",
    });
    expect(log.lines[0]).toMatchObject({
      credential: "[redacted]",
      token: "[redacted]",
      private_key: "[redacted]",
      authorization: "[redacted]",
      node_id: "n",
    });
  });
});
