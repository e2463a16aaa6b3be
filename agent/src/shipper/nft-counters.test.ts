import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { counterEvents, parseRuleCounters } from "./nft-counters.ts";

/** `nft -j` captured from nft 1.0.6 (agent/src/nftables/fixtures), with counters set by the test. */
function listing(mode: "enforce" | "audit", counts: Record<string, [number, number]>) {
  const doc = JSON.parse(
    readFileSync(new URL(`../nftables/fixtures/${mode}.json`, import.meta.url), "utf8"),
  ) as { nftables: { rule?: { comment?: string; expr: Record<string, unknown>[] } }[] };
  for (const o of doc.nftables) {
    const c = o.rule?.comment;
    const counter = o.rule?.expr.find((e) => "counter" in e);
    if (counter && c !== undefined && counts[c]) {
      const [packets, bytes] = counts[c]!;
      counter.counter = { packets, bytes };
    }
  }
  return doc;
}

describe("parseRuleCounters", () => {
  it("reads every counting rule with its protocol, action, port and address", () => {
    const { hash, counters } = parseRuleCounters(listing("enforce", { "p1#0": [3, 180] }));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(counters.map((c) => [c.comment, c.protocol, c.action, c.dport, c.daddr])).toEqual([
      ["p1#1", "udp", "blocked", null, "10.100.0.1"],
      ["p1#0", "tcp", "allowed", 5432, "10.100.0.1"],
      ["p1#2 [tcp]", "tcp", "allowed", null, "10.100.0.1"],
      ["p1#2 [udp]", "udp", "allowed", null, "10.100.0.1"],
      ["p1#2 [icmp]", "icmp", "allowed", null, "10.100.0.1"],
      ["default-deny [tcp]", "tcp", "blocked", null, null],
      ["default-deny [udp]", "udp", "blocked", null, null],
      ["default-deny [icmp]", "icmp", "blocked", null, null],
    ]);
    expect(counters[1]).toMatchObject({ packets: 3, bytes: 180 });
  });

  it("calls audit mode's logged would-drops denied", () => {
    const { counters } = parseRuleCounters(listing("audit", {}));
    expect(counters.find((c) => c.comment === "p1#1")?.action).toBe("denied");
    expect(counters.find((c) => c.comment === "default-deny [tcp]")?.action).toBe("denied");
  });
});

describe("counterEvents", () => {
  const at = new Date("2026-02-21T08:00:00Z");
  it("reports only what grew since the baseline, one inbound network event per rule", () => {
    const first = counterEvents(
      undefined,
      parseRuleCounters(listing("enforce", { "default-deny [tcp]": [2, 120], "p1#0": [1, 60] })),
      "10.100.0.1",
      at,
    );
    expect(first.events).toEqual([
      {
        direction: "inbound",
        protocol: "tcp",
        dst_ip: "10.100.0.1",
        dst_port: 5432,
        bytes_recv: 60,
        action: "allowed",
        comm: "nft:p1#0",
        timestamp: "2026-02-21T08:00:00.000Z",
      },
      expect.objectContaining({
        comm: "nft:default-deny [tcp]",
        action: "blocked",
        bytes_recv: 120,
      }),
    ]);
    const second = counterEvents(
      first.baseline,
      parseRuleCounters(listing("enforce", { "default-deny [tcp]": [5, 300], "p1#0": [1, 60] })),
      "10.100.0.1",
      at,
    );
    expect(second.events.map((e) => [e.comm, e.bytes_recv])).toEqual([
      ["nft:default-deny [tcp]", 180],
    ]);
    const none = counterEvents(
      second.baseline,
      parseRuleCounters(listing("enforce", { "default-deny [tcp]": [5, 300], "p1#0": [1, 60] })),
      "10.100.0.1",
      at,
    );
    expect(none.events).toEqual([]);
  });

  it("takes a counter that went down, or a ruleset with another hash, as reset", () => {
    const base = counterEvents(
      undefined,
      parseRuleCounters(listing("enforce", { "p1#0": [10, 600] })),
      "10.100.0.1",
      at,
    ).baseline;
    const lower = counterEvents(
      base,
      parseRuleCounters(listing("enforce", { "p1#0": [2, 120] })),
      "10.100.0.1",
      at,
    );
    expect(lower.events.map((e) => e.bytes_recv)).toEqual([120]);
    const audit = counterEvents(
      base,
      parseRuleCounters(listing("audit", { "p1#0": [12, 720] })),
      "10.100.0.1",
      at,
    );
    expect(audit.events.map((e) => e.bytes_recv)).toEqual([720]);
  });
});
