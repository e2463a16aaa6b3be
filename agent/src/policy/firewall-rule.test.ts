import { describe, expect, it } from "vitest";
import {
  ANY_ADDRESS,
  canonicalAddress,
  type FirewallRule,
  isAddress,
  validateFirewallRule,
} from "./firewall-rule.ts";

const ok: FirewallRule = {
  iface: "tether0",
  srcIp: "10.100.0.2",
  dstIp: ANY_ADDRESS,
  port: 443,
  protocol: "tcp",
  action: "allow",
  origin: "p#0",
};
const text = (patch: Record<string, unknown>) =>
  validateFirewallRule({ ...ok, ...patch } as FirewallRule)?.message ?? null;

describe("validateFirewallRule (the seed's FirewallRule.Validate)", () => {
  it("accepts valid rules", () => {
    expect(text({})).toBeNull();
    expect(text({ port: 0, protocol: "" })).toBeNull();
    expect(text({ port: "8000-8100", protocol: "udp", action: "deny" })).toBeNull();
    expect(text({ srcIp: "@g0", dstIp: "10.100.0.0/16" })).toBeNull();
    expect(text({ srcIp: "fd00::1" })).toBeNull();
  });

  it("uses the seed's texts", () => {
    expect(text({ action: "reject" })).toBe('policy: firewall rule: invalid action "reject"');
    expect(text({ port: 70000 })).toBe("policy: firewall rule: invalid port 70000");
    expect(text({ port: -1 })).toBe("policy: firewall rule: invalid port -1");
    expect(text({ protocol: "icmp" })).toBe('policy: firewall rule: invalid protocol "icmp"');
    expect(text({ protocol: "" })).toBe("policy: firewall rule: port 443 requires a protocol");
  });

  it("reports in the seed's order: action, port, protocol", () => {
    expect(text({ action: "x", port: 70000, protocol: "icmp" })).toBe(
      'policy: firewall rule: invalid action "x"',
    );
    expect(text({ port: 70000, protocol: "icmp" })).toBe(
      "policy: firewall rule: invalid port 70000",
    );
  });

  it("rejects range texts the server would reject", () => {
    expect(text({ port: "9000-8000" })).toBe('policy: firewall rule: invalid port "9000-8000"');
  });

  it("rejects addresses that are not addresses (they are rendered into nft scripts)", () => {
    expect(text({ srcIp: "" })).toBe('policy: firewall rule: invalid address ""');
    expect(text({ dstIp: "10.0.0.1; flush ruleset" })).toBe(
      'policy: firewall rule: invalid address "10.0.0.1; flush ruleset"',
    );
    expect(validateFirewallRule({ ...ok, dstIp: "@x y" })?.field).toBe("dstIp");
  });

  it("writes IPv6 addresses as nft and wg print them", () => {
    expect(canonicalAddress("FD00:0:0:0::4")).toBe("fd00::4");
    expect(canonicalAddress("fd00:0000:0000:0001:0:0:0:1")).toBe("fd00:0:0:1::1");
    expect(canonicalAddress("10.100.0.1")).toBe("10.100.0.1");
    expect(canonicalAddress("fd00::/8")).toBe("fd00::/8");
  });

  it("knows addresses", () => {
    expect(isAddress("10.100.0.1")).toBe(true);
    expect(isAddress("10.100.0.0/16")).toBe(true);
    expect(isAddress("10.100.0.0/33")).toBe(false);
    expect(isAddress("256.1.1.1")).toBe(false);
    expect(isAddress("fd00::/8")).toBe(true);
    expect(isAddress("node-a")).toBe(false);
  });
});
