import { describe, expect, it } from "vitest";
import { ANY_ADDRESS, DEFAULT_DENY, type FirewallRule } from "../policy/firewall-rule.ts";
import { sampleInput } from "./fixtures/sample.ts";
import { compileRuleset, RenderError, renderRuleset, rulesetHash } from "./render.ts";

const rule = (patch: Partial<FirewallRule>): FirewallRule => ({
  iface: "tether0",
  srcIp: ANY_ADDRESS,
  dstIp: ANY_ADDRESS,
  port: 0,
  protocol: "",
  action: "allow",
  origin: "p#0",
  ...patch,
});
const mesh = (text: string) => /chain mesh \{\n([\s\S]*?)\n\t\}\n/.exec(text)?.[1] ?? "";

describe("renderRuleset", () => {
  it("renders one idempotent transaction for table inet tether (enforce)", () => {
    expect(renderRuleset(sampleInput())).toMatchInlineSnapshot(`
      "# tether ruleset for tether0, mode enforce, tether sha256:65ee45f10747095725621e6b8cf05939fb1c455dc63e26e34923f6e68df9a576
      table inet tether
      delete table inet tether
      table inet tether {
      	set g0_4 {
      		type ipv4_addr
      		elements = {
      			10.100.0.1, 10.100.0.3
      		}
      	}
      	set g0_6 {
      		type ipv6_addr
      		elements = {
      			fd00::4
      		}
      	}
      	chain mesh {
      		ct state established,related accept comment "tether sha256:65ee45f10747095725621e6b8cf05939fb1c455dc63e26e34923f6e68df9a576"
      		ip saddr @g0_4 ip daddr 10.100.0.1 udp dport 8000-8100 counter drop comment "p1#1"
      		ip saddr 10.100.0.2 ip daddr 10.100.0.1 tcp dport 5432 counter accept comment "p1#0"
      		ip daddr 10.100.0.1 meta l4proto tcp counter comment "p1#2 [tcp]"
      		ip daddr 10.100.0.1 meta l4proto udp counter comment "p1#2 [udp]"
      		ip daddr 10.100.0.1 meta l4proto { icmp, ipv6-icmp } counter comment "p1#2 [icmp]"
      		ip daddr 10.100.0.1 counter accept comment "p1#2"
      		meta l4proto tcp counter comment "default-deny [tcp]"
      		meta l4proto udp counter comment "default-deny [udp]"
      		meta l4proto { icmp, ipv6-icmp } counter comment "default-deny [icmp]"
      		counter drop comment "default-deny"
      	}
      	chain input {
      		type filter hook input priority filter; policy accept;
      		iifname "tether0" jump mesh comment "input"
      	}
      	chain forward {
      		type filter hook forward priority filter; policy accept;
      		iifname "tether0" jump mesh comment "forward"
      	}
      }
      "
    `);
  });

  it("renders audit mode: would-drop rules count, log and accept", () => {
    expect(mesh(renderRuleset(sampleInput("audit")))).toMatchInlineSnapshot(`
      "		ct state established,related accept comment "tether sha256:98e143bc59fca5fa3e82afbbda77cd3626d2ce10f094d9e47e9fa63536d4c213"
      		ip saddr @g0_4 ip daddr 10.100.0.1 udp dport 8000-8100 counter log prefix "tether-audit deny p1#1 " accept comment "p1#1"
      		ip saddr 10.100.0.2 ip daddr 10.100.0.1 tcp dport 5432 counter accept comment "p1#0"
      		ip daddr 10.100.0.1 meta l4proto tcp counter comment "p1#2 [tcp]"
      		ip daddr 10.100.0.1 meta l4proto udp counter comment "p1#2 [udp]"
      		ip daddr 10.100.0.1 meta l4proto { icmp, ipv6-icmp } counter comment "p1#2 [icmp]"
      		ip daddr 10.100.0.1 counter accept comment "p1#2"
      		meta l4proto tcp counter comment "default-deny [tcp]"
      		meta l4proto udp counter comment "default-deny [udp]"
      		meta l4proto { icmp, ipv6-icmp } counter comment "default-deny [icmp]"
      		counter log prefix "tether-audit drop " accept comment "default-deny""
    `);
  });

  it("renders mode off as the table's removal only", () => {
    expect(renderRuleset(sampleInput("off"))).toMatchInlineSnapshot(`
      "# tether: mode off, no filtering
      table inet tether
      delete table inet tether
      "
    `);
    expect(compileRuleset(sampleInput("off")).shape.exists).toBe(false);
  });

  it("puts deny rules before allow rules, the final drop last, whatever the input order", () => {
    // A rule for any protocol (the final drop here) is preceded by count-only rules per protocol.
    const text = mesh(
      renderRuleset({
        iface: "tether0",
        mode: "enforce",
        sets: new Map(),
        rules: [
          rule({ origin: "a", srcIp: "10.0.0.2", protocol: "tcp", port: 22 }),
          rule({ origin: DEFAULT_DENY, action: "deny" }),
          rule({ origin: "d", action: "deny", dstIp: "10.0.0.3", protocol: "udp" }),
        ],
      }),
    );
    expect(text.split("\n").map((l) => /comment "(.*)"$/.exec(l)?.[1])).toEqual([
      expect.stringMatching(/^tether sha256:/),
      "d",
      "a",
      `${DEFAULT_DENY} [tcp]`,
      `${DEFAULT_DENY} [udp]`,
      `${DEFAULT_DENY} [icmp]`,
      DEFAULT_DENY,
    ]);
    expect(text).toContain('ip daddr 10.0.0.3 meta l4proto udp counter drop comment "d"');
    expect(text).toContain('ip saddr 10.0.0.2 tcp dport 22 counter accept comment "a"');
  });

  it("filters only the mesh interface: base chains accept by default and jump for it alone", () => {
    const text = renderRuleset(sampleInput());
    expect(text.match(/policy accept;/g)).toHaveLength(2);
    expect(text.match(/iifname "tether0" jump mesh/g)).toHaveLength(2);
    expect(text).not.toMatch(/policy drop/);
  });

  it("starts with create-then-delete so it applies whether or not the table exists", () => {
    expect(renderRuleset(sampleInput()).split("\n").slice(1, 4)).toEqual([
      "table inet tether",
      "delete table inet tether",
      "table inet tether {",
    ]);
    expect(renderRuleset({ ...sampleInput(), table: "t2" })).toContain("delete table inet t2\n");
  });

  it("skips a family a set has no member of, and renders sets with prefixes as interval sets", () => {
    const text = renderRuleset({
      iface: "tether0",
      mode: "enforce",
      sets: new Map([["g0", ["10.1.0.0/24", "10.0.0.1"]]]),
      rules: [rule({ srcIp: "@g0", dstIp: "fd00::1" }), rule({ srcIp: "@g0", origin: "p#1" })],
    });
    expect(text).toContain("flags interval");
    expect(text).not.toContain('comment "p#0"');
    expect(text).toContain('ip saddr @g0_4 counter accept comment "p#1"');
  });

  it("refuses input that could inject into the script", () => {
    const base = { mode: "enforce" as const, sets: new Map(), rules: [] };
    expect(() => renderRuleset({ ...base, iface: 'x" accept' })).toThrow(RenderError);
    expect(() => renderRuleset({ ...base, iface: "tether0", table: "a b" })).toThrow(
      'nftables: invalid table name "a b"',
    );
    expect(() =>
      renderRuleset({ ...base, iface: "tether0", rules: [rule({ srcIp: "1.2.3.4 accept" })] }),
    ).toThrow('nftables: p#0: policy: firewall rule: invalid address "1.2.3.4 accept"');
    expect(() =>
      renderRuleset({ ...base, iface: "tether0", rules: [rule({ srcIp: "@nope" })] }),
    ).toThrow('nftables: unknown set "@nope"');
    expect(() =>
      renderRuleset({ ...base, iface: "tether0", sets: new Map([["s", ["1.2.3.4}"]]]) }),
    ).toThrow(RenderError);
    expect(() =>
      renderRuleset({ ...base, iface: "tether0", rules: [rule({ iface: "eth0" })] }),
    ).toThrow("interface eth0, want tether0");
  });

  it("sanitizes rule origins used in comments and log prefixes", () => {
    const text = renderRuleset({
      iface: "tether0",
      mode: "audit",
      sets: new Map(),
      rules: [rule({ action: "deny", origin: 'p"; flush ruleset #0' })],
    });
    expect(text).toContain('log prefix "tether-audit deny p___flush_ruleset_#0 " accept');
  });
});

describe("rulesetHash", () => {
  it("is stable, embedded in the text, and ignores the embedded hash itself", () => {
    const a = compileRuleset(sampleInput());
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rulesetHash(a.text)).toBe(a.hash);
    expect(compileRuleset(sampleInput()).hash).toBe(a.hash);
    expect(a.text).toContain(`comment "tether sha256:${a.hash}"`);
  });

  it("changes with the mode, the interface and the rules", () => {
    const h = (x: Parameters<typeof compileRuleset>[0]) => compileRuleset(x).hash;
    const base = sampleInput();
    const all = new Set([
      h(base),
      h(sampleInput("audit")),
      h(sampleInput("off")),
      h({ ...base, iface: "tether1", rules: base.rules.map((r) => ({ ...r, iface: "tether1" })) }),
      h({ ...base, rules: base.rules.slice(1) }),
    ]);
    expect(all.size).toBe(5);
  });
});
