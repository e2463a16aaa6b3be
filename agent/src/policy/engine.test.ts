import type { MeshRule } from "@tether/schema/wire";
import { describe, expect, it } from "vitest";
import { recordingLogger } from "./test-logger.ts";
import { PolicyEngine, peersById } from "./engine.ts";
import { ANY_ADDRESS, DEFAULT_DENY, validateFirewallRule } from "./firewall-rule.ts";

const peer = (id: string, ip: string, groups: string[] = []) => ({ id, mesh_ip: ip, groups });
const A = peer("node-A", "10.100.0.1", ["web"]);
const B = peer("node-B", "10.100.0.2", ["db"]);
const C = peer("node-C", "10.100.0.3", ["web", "ops"]);
const D = peer("node-D", "10.100.0.4");
const rule = (src: string, dst: string, patch: Partial<MeshRule> = {}): MeshRule => ({
  src,
  dst,
  port: 0,
  protocol: "",
  action: "allow",
  ...patch,
});
const pol = (...rules: MeshRule[]) => [{ id: "p1", rules }];
const engine = new PolicyEngine();
const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();

describe("PolicyEngine.filterPeers (the seed's scenarios)", () => {
  const others = [B, C, D];
  it("returns no peers without policies (deny by default)", () => {
    expect(engine.filterPeers(others, [], A)).toEqual([]);
  });
  it("returns only peers of a bidirectional allow rule", () => {
    expect(ids(engine.filterPeers(others, pol(rule("node-A", "node-B")), "node-A"))).toEqual([
      "node-B",
    ]);
    expect(ids(engine.filterPeers([A, C], pol(rule("node-A", "node-B")), "node-B"))).toEqual([
      "node-A",
    ]);
  });
  it("returns no peers for deny-only rules", () => {
    const p = pol(rule("node-A", "node-B", { action: "deny" }), rule("*", "*", { action: "deny" }));
    expect(engine.filterPeers(others, p, A)).toEqual([]);
  });
  it("lets * match any node id in src or dst", () => {
    expect(ids(engine.filterPeers(others, pol(rule("*", "node-A")), A))).toEqual([
      "node-B",
      "node-C",
      "node-D",
    ]);
    expect(ids(engine.filterPeers([A, C, D], pol(rule("node-A", "*")), B))).toEqual(["node-A"]);
  });
  it("resolves groups with the local node's groups from the state", () => {
    const p = pol(rule("group:web", "group:db"));
    expect(ids(engine.filterPeers(others, p, A))).toEqual(["node-B"]);
    expect(engine.filterPeers(others, p, "node-A")).toEqual([]); // a bare id has no groups
  });
});

describe("PolicyEngine.buildFirewallRules", () => {
  const byId = peersById([B, C, D]);
  const local = { id: "node-A", groups: ["web"], mesh_ip: "10.100.0.1" };
  const build = (policies: ReturnType<typeof pol>, log = recordingLogger()) =>
    new PolicyEngine(log).buildFirewallRules(policies, local, "tether0", byId);

  it("converts local rules, resolves ids to mesh IPs and appends default-deny last", () => {
    const { rules, sets } = build(
      pol(
        rule("node-B", "node-A", { port: 5432, protocol: "tcp" }),
        rule("node-A", "node-C", { port: "8000-8100", protocol: "udp", action: "deny" }),
      ),
    );
    expect(rules).toEqual([
      {
        iface: "tether0",
        srcIp: "10.100.0.2",
        dstIp: "10.100.0.1",
        port: 5432,
        protocol: "tcp",
        action: "allow",
        origin: "p1#0",
      },
      {
        iface: "tether0",
        srcIp: "10.100.0.1",
        dstIp: "10.100.0.3",
        port: "8000-8100",
        protocol: "udp",
        action: "deny",
        origin: "p1#1",
      },
      {
        iface: "tether0",
        srcIp: ANY_ADDRESS,
        dstIp: ANY_ADDRESS,
        port: 0,
        protocol: "",
        action: "deny",
        origin: DEFAULT_DENY,
      },
    ]);
    expect(sets.size).toBe(0);
    for (const r of rules) expect(validateFirewallRule(r)).toBeNull();
  });

  it("ignores rules that do not name the local node", () => {
    const { rules } = build(pol(rule("node-B", "node-C"), rule("group:db", "group:ops")));
    expect(rules.map((r) => r.origin)).toEqual([DEFAULT_DENY]);
  });

  it("resolves * to any address", () => {
    const { rules } = build(pol(rule("*", "node-A", { port: 22, protocol: "tcp" })));
    expect(rules[0]).toMatchObject({ srcIp: "0.0.0.0/0", dstIp: "10.100.0.1" });
  });

  it("resolves group selectors to one named address set per group, including the local node", () => {
    const { rules, sets } = build(
      pol(
        rule("group:web", "node-A"),
        rule("group:web", "group:web"),
        rule("group:ops", "group:db"),
      ),
    );
    expect(rules.map((r) => [r.srcIp, r.dstIp])).toEqual([
      ["@g0", "10.100.0.1"],
      ["@g0", "@g0"],
      ["0.0.0.0/0", "0.0.0.0/0"],
    ]);
    expect(rules[2]?.origin).toBe(DEFAULT_DENY); // neither group contains node-A: not local
    expect(sets).toEqual(new Map([["g0", ["10.100.0.1", "10.100.0.3"]]]));
  });

  it("skips invalid protocols on allow rules with a warning", () => {
    const log = recordingLogger();
    const { rules } = build(pol(rule("node-B", "node-A", { protocol: "icmp" as "tcp" })), log);
    expect(rules.map((r) => r.origin)).toEqual([DEFAULT_DENY]);
    expect(log.lines).toMatchObject([
      {
        level: "warn",
        msg: "policy: skipping rule",
        origin: "p1#0",
        problem: 'invalid protocol "icmp"',
      },
    ]);
  });

  it("widens a deny rule with an invalid protocol or port instead of dropping it (fail closed)", () => {
    const log = recordingLogger();
    const { rules } = build(
      pol(
        rule("node-B", "node-A", { protocol: "icmp" as "tcp", action: "deny" }),
        rule("node-C", "node-A", { port: 22, action: "deny" }),
      ),
      log,
    );
    expect(rules.slice(0, 2).map((r) => [r.srcIp, r.port, r.protocol, r.action])).toEqual([
      ["10.100.0.2", 0, "", "deny"],
      ["10.100.0.3", 0, "", "deny"],
    ]);
    expect(log.lines.map((l) => l.problem)).toEqual([
      'invalid protocol "icmp"',
      "port 22 requires a protocol",
    ]);
  });

  it("skips rules naming unknown peers or empty groups with a warning: never an empty or any address", () => {
    const log = recordingLogger();
    const { rules } = build(
      pol(rule("node-Z", "node-A"), rule("node-A", "group:nobody"), rule("group:web", "node-Y")),
      log,
    );
    expect(rules.map((r) => r.origin)).toEqual([DEFAULT_DENY]);
    expect(log.lines.map((l) => l.selector)).toEqual(["node-Z", "group:nobody", "node-Y"]);
    for (const l of log.lines)
      expect(l.msg).toBe("policy: skipping rule naming an unknown node or empty group");
  });

  it("treats a peer with an unusable mesh IP as unknown", () => {
    const { rules } = new PolicyEngine().buildFirewallRules(
      pol(rule("node-B", "node-A")),
      local,
      "tether0",
      new Map([["node-B", ""]]),
    );
    expect(rules.map((r) => r.origin)).toEqual([DEFAULT_DENY]);
  });

  it("skips rules naming the local node when its mesh IP is not known", () => {
    const { rules } = new PolicyEngine().buildFirewallRules(
      pol(rule("node-B", "node-A")),
      "node-A",
      "tether0",
      new Map([["node-B", "10.100.0.2"]]),
    );
    expect(rules.map((r) => r.origin)).toEqual([DEFAULT_DENY]);
  });

  it("accepts the seed's id → mesh IP map", () => {
    const { rules } = new PolicyEngine().buildFirewallRules(
      pol(rule("node-B", "*")),
      "node-A",
      "tether0",
      new Map([["node-B", "10.100.0.2"]]),
    );
    expect(rules[0]).toMatchObject({ srcIp: "10.100.0.2", dstIp: ANY_ADDRESS });
  });

  it("stays fast with 10k peers and 10k rules", () => {
    const peers = Array.from({ length: 10_000 }, (_, i) =>
      peer(`n${i}`, `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, [`g${i % 100}`]),
    );
    const me = { id: "n0", groups: ["g0"], mesh_ip: "10.100.0.0" };
    const rules = Array.from({ length: 10_000 }, (_, i) =>
      rule(`group:g${i % 100}`, i % 2 ? "group:g0" : `n${(i * 7) % 10_000}`, {
        port: 443,
        protocol: "tcp",
      }),
    );
    const policies = [{ id: "p", rules }];
    const e = new PolicyEngine();
    const started = performance.now();
    const visible = e.filterPeers(peers, policies, me);
    const built = e.buildFirewallRules(policies, me, "tether0", peersById(visible));
    // Cold and on a shared CI box: this only catches a return to O(peers × rules) (seconds); bench/agent measures.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(visible.length).toBeGreaterThan(100);
    expect(built.rules.length).toBeGreaterThan(5000);
    expect(built.sets.size).toBe(51); // g0 and the 50 odd groups (rules naming g0 as dst)
  });
});
