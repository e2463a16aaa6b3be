import type { MeshRule } from "@tether/schema/wire";
import { describe, expect, it } from "vitest";
import { recordingLogger } from "./test-logger.ts";
import { Enforcer, type FirewallController } from "./enforcer.ts";
import { PolicyEngine } from "./engine.ts";
import type { FirewallRuleSet } from "./firewall-rule.ts";

const allow: MeshRule = { src: "a", dst: "b", port: 0, protocol: "", action: "allow" };
const policies = [{ id: "p", rules: [allow] }];
const peers = [
  { id: "b", groups: [] },
  { id: "c", groups: [] },
];
const byId = new Map([["b", "10.100.0.2"]]);

function recordingFirewall(fail: Partial<Record<keyof FirewallController, string>> = {}) {
  const calls: string[] = [];
  const applied: FirewallRuleSet[] = [];
  const step = (name: keyof FirewallController, chain: string) => {
    calls.push(`${name} ${chain}`);
    if (fail[name]) return Promise.reject(new Error(fail[name]));
    return Promise.resolve();
  };
  const fw: FirewallController = {
    ensureChain: (c) => step("ensureChain", c),
    applyRules: (c, rs) => {
      applied.push(rs);
      return step("applyRules", c);
    },
    flushChain: (c) => step("flushChain", c),
    deleteChain: (c) => step("deleteChain", c),
  };
  return { fw, calls, applied };
}
const make = (fw: FirewallController | null, enabled?: boolean, log = recordingLogger()) =>
  new Enforcer(new PolicyEngine(), fw, enabled === undefined ? {} : { enabled }, log);

describe("Enforcer: the seed's behaviour by state", () => {
  it("enabled + firewall: filters, applies, removes the chain", async () => {
    const { fw, calls, applied } = recordingFirewall();
    const e = make(fw);
    expect(e.filterPeers(peers, policies, "a").map((p) => p.id)).toEqual(["b"]);
    await e.applyFirewallRules(policies, "a", "tether0", byId);
    expect(calls).toEqual(["ensureChain tether", "applyRules tether"]);
    expect(applied[0]?.rules.at(-1)?.origin).toBe("default-deny");
    await e.teardown();
    expect(calls.slice(2)).toEqual(["flushChain tether", "deleteChain tether"]);
  });

  it("enabled + no firewall: filters, apply is a no-op with a warning, teardown a no-op", async () => {
    const log = recordingLogger();
    const e = make(null, true, log);
    expect(e.filterPeers(peers, policies, "a").map((p) => p.id)).toEqual(["b"]);
    await expect(e.applyFirewallRules(policies, "a", "tether0", byId)).resolves.toBeUndefined();
    expect(log.lines).toMatchObject([{ level: "warn" }]);
    await expect(e.teardown()).resolves.toBeUndefined();
  });

  it("disabled + firewall: all peers, apply is a no-op, teardown removes the chain", async () => {
    const { fw, calls } = recordingFirewall();
    const e = make(fw, false);
    expect(e.filterPeers(peers, [], "a")).toEqual(peers);
    await e.applyFirewallRules(policies, "a", "tether0", byId);
    expect(calls).toEqual([]);
    await e.teardown();
    expect(calls).toEqual(["flushChain tether", "deleteChain tether"]);
  });

  it("disabled + no firewall: all peers, everything else a no-op", async () => {
    const log = recordingLogger();
    const e = make(null, false, log);
    expect(e.filterPeers(peers, [], "a")).toEqual(peers);
    await e.applyFirewallRules(policies, "a", "tether0", byId);
    await e.teardown();
    expect(log.lines).toEqual([]);
  });
});

describe("Enforcer errors", () => {
  it("prefixes apply failures with policy: enforce:", async () => {
    const { fw } = recordingFirewall({ applyRules: "nft: syntax error" });
    await expect(make(fw).applyFirewallRules(policies, "a", "tether0", byId)).rejects.toThrow(
      /^policy: enforce: nft: syntax error$/,
    );
    const ensure = recordingFirewall({ ensureChain: "no nft" });
    await expect(make(ensure.fw).applyFirewallRules(policies, "a", "t", byId)).rejects.toThrow(
      "policy: enforce: no nft",
    );
    expect(ensure.calls).toEqual(["ensureChain tether"]); // no apply into a missing chain
  });

  it("prefixes teardown failures with policy: teardown:, still deleting after a failed flush", async () => {
    const { fw, calls } = recordingFirewall({ flushChain: "busy", deleteChain: "gone wrong" });
    await expect(make(fw).teardown()).rejects.toThrow("policy: teardown: busy; gone wrong");
    expect(calls).toEqual(["flushChain tether", "deleteChain tether"]);
  });

  it("refuses an invalid config with the seed's text", () => {
    expect(
      () => new Enforcer(new PolicyEngine(), null, { chainName: "bad name" }, recordingLogger()),
    ).toThrow(/^policy: config: ChainName "bad name"/);
  });
});
