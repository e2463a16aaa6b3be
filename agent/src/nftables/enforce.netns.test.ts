import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyEngine, peersById } from "../policy/engine.ts";
import { counterEvents, readRuleCounters } from "../shipper/nft-counters.ts";
import { createExecRunner } from "../sys/exec-runner.ts";
import { type Runner, runChecked } from "../sys/runner.ts";
import { applyRuleset } from "./nft.ts";
import { compileRuleset } from "./render.ts";

const missing = [
  process.getuid?.() === 0 ? null : "not root",
  ["/usr/sbin/nft", "/sbin/nft"].some((p) => existsSync(p)) ? null : "nft is not installed",
].filter((x) => x !== null);
if (missing.length > 0) console.warn(`skipping nftables enforcement tests: ${missing.join(", ")}`);

/**
 * Packets, not just parsing: node `a` (namespace L) has the mesh
 * interface `tm0` (a veth standing in for WireGuard: the table filters by
 * interface name) and a second, non-mesh link `tx0`; peer `b` (namespace
 * P) connects over each. A port that answers "refused" was let through
 * (nothing listens); a port that times out was dropped.
 */
describe.skipIf(missing.length > 0)("the rendered table enforces (root, two namespaces)", () => {
  const L = `tether-l-${process.pid}`;
  const P = `tether-p-${process.pid}`;
  const host = createExecRunner();
  const local = createExecRunner({ netns: L });
  const peer = createExecRunner({ netns: P });
  const policies = [
    {
      id: "p",
      rules: [
        { src: "b", dst: "a", port: 5432, protocol: "tcp", action: "allow" },
        { src: "b", dst: "a", port: "20-25", protocol: "tcp", action: "allow" },
        { src: "b", dst: "a", port: 22, protocol: "tcp", action: "deny" },
        { src: "a", dst: "b", port: 0, protocol: "", action: "allow" },
      ] as const,
    },
  ].map((p) => ({ ...p, rules: [...p.rules] }));
  const table = (mode: "enforce" | "audit") => {
    const engine = new PolicyEngine();
    const me = { id: "a", groups: [], mesh_ip: "10.100.0.1" };
    const { rules, sets } = engine.buildFirewallRules(
      policies,
      me,
      "tm0",
      peersById([{ id: "b", mesh_ip: "10.100.0.2", groups: [] }]),
    );
    return compileRuleset({ iface: "tm0", mode, rules, sets });
  };
  /** "reached" (refused: no listener, let through) or "dropped" (timed out). */
  const probe = async (from: Runner, ip: string, port: number) => {
    const r = await from.run("timeout", ["1", "bash", "-c", `exec 3<>/dev/tcp/${ip}/${port}`]);
    return r.code === 124 ? "dropped" : "reached";
  };

  beforeAll(async () => {
    const ip = (r: Runner, ...args: string[]) => runChecked(r, "ip", args);
    await ip(host, "netns", "add", L);
    await ip(host, "netns", "add", P);
    for (const [mine, theirs, subnet] of [
      ["tm0", "pm0", "10.100.0"],
      ["tx0", "px0", "192.168.77"],
    ] as const) {
      await ip(
        host,
        "link",
        "add",
        mine,
        "netns",
        L,
        "type",
        "veth",
        "peer",
        "name",
        theirs,
        "netns",
        P,
      );
      await ip(local, "address", "add", `${subnet}.1/24`, "dev", mine);
      await ip(peer, "address", "add", `${subnet}.2/24`, "dev", theirs);
      await ip(local, "link", "set", mine, "up");
      await ip(peer, "link", "set", theirs, "up");
    }
    await ip(local, "link", "set", "lo", "up");
  });
  afterAll(async () => {
    await host.run("ip", ["netns", "delete", L]);
    await host.run("ip", ["netns", "delete", P]);
  });

  it("lets allowed ports through, drops denied ones (deny wins) and the rest, on the mesh interface only", async () => {
    expect(await probe(peer, "10.100.0.1", 6000)).toBe("reached"); // no table yet
    await applyRuleset(local, table("enforce").text);
    expect(await probe(peer, "10.100.0.1", 5432)).toBe("reached");
    expect(await probe(peer, "10.100.0.1", 21)).toBe("reached");
    expect(await probe(peer, "10.100.0.1", 22)).toBe("dropped"); // allowed by 20-25, denied by 22
    expect(await probe(peer, "10.100.0.1", 6000)).toBe("dropped"); // the final drop
    expect(await probe(peer, "192.168.77.1", 6000)).toBe("reached"); // another interface: untouched
  });

  it("accepts return traffic of connections the node opens (established/related)", async () => {
    const r = await local.run("timeout", ["1", "bash", "-c", "exec 3<>/dev/tcp/10.100.0.2/7000"]);
    expect(r.code).not.toBe(124); // the peer's RST came back through the final drop
  });

  it("in audit mode only counts and logs what it would drop", async () => {
    await applyRuleset(local, table("audit").text);
    expect(await probe(peer, "10.100.0.1", 22)).toBe("reached");
    expect(await probe(peer, "10.100.0.1", 6000)).toBe("reached");
    const listed = await runChecked(local, "nft", [
      "-j",
      "list",
      "chain",
      "inet",
      "tether",
      "mesh",
    ]);
    const counters = (
      JSON.parse(listed) as {
        nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[];
      }
    ).nftables
      .filter((o) => o.rule)
      .map((o) => ({
        comment: o.rule!.comment,
        packets: o.rule!.expr.find((e) => e.counter)?.counter?.packets ?? 0,
      }));
    expect(counters.filter((c) => c.packets > 0).map((c) => c.comment)).toEqual([
      "p#2",
      "default-deny [tcp]",
      "default-deny",
    ]);
    // What the telemetry shipper reports of them: would-drops, as denied inbound tcp events.
    const read = await readRuleCounters(local, "tether");
    const { events } = counterEvents(undefined, read!, "10.100.0.1", new Date());
    expect(events.map((e) => [e.comm, e.protocol, e.action, e.dst_port])).toEqual([
      ["nft:p#2", "tcp", "denied", 22],
      ["nft:default-deny [tcp]", "tcp", "denied", null],
    ]);
  });
});
