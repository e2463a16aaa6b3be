import { describe, expect, it } from "vitest";
import { ANY_ADDRESS, type FirewallRule } from "../policy/firewall-rule.ts";
import { coalesce, mergeByEndpoints } from "./merge.ts";
import { renderRuleset } from "./render.ts";

const rule = (patch: Partial<FirewallRule>): FirewallRule => ({
  iface: "tether0",
  srcIp: "10.0.0.2",
  dstIp: ANY_ADDRESS,
  port: 22,
  protocol: "tcp",
  action: "allow",
  origin: "p#0",
  ...patch,
});

describe("mergeByEndpoints", () => {
  it("merges ports of rules with the same addresses, protocol and action, in first-seen order", () => {
    const merged = mergeByEndpoints([
      rule({ origin: "p#0" }),
      rule({ origin: "p#1", srcIp: "10.0.0.3" }),
      rule({ origin: "p#2", port: "8000-8100" }),
      rule({ origin: "p#3", port: 443, protocol: "udp" }),
      rule({ origin: "p#4", port: 8050 }),
    ]);
    expect(merged.map((m) => [m.rule.origin, m.ports, m.count])).toEqual([
      [
        "p#0",
        [
          { from: 22, to: 22 },
          { from: 8000, to: 8100 },
        ],
        3,
      ],
      ["p#1", [{ from: 22, to: 22 }], 1],
      ["p#3", [{ from: 443, to: 443 }], 1],
    ]);
  });

  it("lets any port win", () => {
    expect(mergeByEndpoints([rule({}), rule({ port: 0 })])[0]?.ports).toBeNull();
  });

  it("coalesces overlapping and adjacent ranges", () => {
    expect(
      coalesce([
        { from: 10, to: 20 },
        { from: 1, to: 5 },
        { from: 21, to: 22 },
        { from: 15, to: 30 },
        { from: 40, to: 40 },
      ]),
    ).toEqual([
      { from: 1, to: 5 },
      { from: 10, to: 30 },
      { from: 40, to: 40 },
    ]);
  });

  it("renders a merged rule with an anonymous port set", () => {
    const text = renderRuleset({
      iface: "tether0",
      mode: "enforce",
      sets: new Map(),
      rules: [
        rule({}),
        rule({ port: "8000-8100", origin: "p#1" }),
        rule({ port: 443, origin: "p#2" }),
      ],
    });
    expect(text).toContain(
      'ip saddr 10.0.0.2 tcp dport { 22, 443, 8000-8100 } counter accept comment "p#0 +2"',
    );
  });
});
