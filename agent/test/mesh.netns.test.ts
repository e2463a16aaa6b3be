import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, freePort, startControlPlane } from "../../dev/control-plane.ts";
import { readStatus } from "../src/state/status-file.ts";
import { runChecked } from "../src/sys/runner.ts";
import { enrollAgent, type LabAgent, removeAgentData } from "./helpers/agents.ts";
import { createLab, type Lab, netnsUnavailable } from "./helpers/netns.ts";

/**
 * Three machines in network namespaces joined by a bridge namespace, the
 * real control plane on the host's 127.0.0.1, and three real agents. Each
 * agent runs on the host (so it reaches the control plane on loopback) and
 * drives WireGuard (wireguard-go) and nftables inside its own namespace
 * through a namespaced Runner (`ip netns exec`). Test traffic only crosses
 * the lab's own veths and WireGuard interfaces.
 */
const unavailable = await netnsUnavailable();
if (unavailable) console.warn(`mesh.netns.test.ts skipped: ${unavailable}`);

const TCP = fileURLToPath(new URL("./helpers/tcp.mjs", import.meta.url));
const RECONCILE_SEC = 2;

describe.skipIf(unavailable !== undefined)("mesh in network namespaces", () => {
  let lab: Lab;
  let cp: ControlPlane | undefined;
  const agents: Record<string, LabAgent> = {};
  let policyId = "";
  let admin = "";
  let cpPort = 0;
  let cpDir = "";

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${cp!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };

  /** TCP connect from `from` to `to`'s mesh address; "ok" or why not ("timeout" = dropped). */
  const probe = async (from: string, to: string, port: number, ms = 1500) => {
    const r = await lab
      .node(from)
      .run("node", [TCP, "probe", agents[to]!.meshIp, String(port), String(ms)], {
        timeoutMs: ms + 5000,
      });
    return r.stdout.trim() || r.stderr.trim();
  };

  const eventually = async (what: string, fn: () => Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await fn()) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    const tail = Object.values(agents)
      .map((a) => `--- ${a.name}\n${a.logs.slice(-15).join("\n")}`)
      .join("\n");
    throw new Error(`timed out: ${what}\n${tail}`);
  };

  const rules = (extra: object[] = []) => [
    { src: agents.a!.nodeId, dst: agents.b!.nodeId, port: 8080, protocol: "tcp", action: "allow" },
    ...extra,
  ];

  beforeAll(async () => {
    lab = await createLab(["a", "b", "c"]);
    cpPort = await freePort();
    cpDir = mkdtempSync(join(tmpdir(), "tether-cp-netns-"));
    cp = await startControlPlane({ port: cpPort, dataDir: cpDir });
    admin = cp.firstAdminKey!;
    const { token } = (await api("POST", "/api/enrollment-tokens", {
      name: "lab",
      reusable: true,
    })) as {
      token: string;
    };
    for (const name of ["a", "b", "c"]) {
      agents[name] = await enrollAgent({
        name,
        server: cp.url,
        token,
        netns: lab.nsName(name),
        iface: lab.iface(name),
        endpoint: `${lab.underlayIp(name)}:51820`,
        reconcileIntervalSec: RECONCILE_SEC,
      });
    }
    policyId = String(
      (await api("POST", "/api/mesh/policies", { name: "web", rules: rules() })).id,
    );
    for (const name of ["b", "c"]) {
      // Servers on 8080 and 9090 for the whole run; killed with the namespace.
      void lab.node(name).run("node", [TCP, "serve", "8080,9090", "600"], { timeoutMs: 610_000 });
    }
    for (const agent of Object.values(agents)) await agent.start();
  }, 120_000);

  afterAll(async () => {
    for (const agent of Object.values(agents)) await agent.stop().catch(() => {});
    await cp?.stop().catch(() => {});
    await lab?.destroy();
    for (const agent of Object.values(agents)) removeAgentData(agent);
    if (cpDir) rmSync(cpDir, { recursive: true, force: true });
  }, 60_000);

  it("an allowed pair reaches each other over the WireGuard mesh", async () => {
    await eventually("a → b:8080 connects", async () => (await probe("a", "b", 8080)) === "ok");
    const peers = await runChecked(lab.node("a"), "wg", ["show", lab.iface("a"), "allowed-ips"]);
    expect(peers).toContain(`${agents.b!.meshIp}/32`);
  });

  it("a disallowed port and a denied pair are dropped", async () => {
    expect(await probe("a", "b", 9090)).toBe("timeout");
    expect(await probe("c", "b", 8080)).not.toBe("ok");
    // c is in no allow rule: it configures no peers, and b does not configure it.
    expect((await runChecked(lab.node("c"), "wg", ["show", lab.iface("c"), "peers"])).trim()).toBe(
      "",
    );
    const bPeers = await runChecked(lab.node("b"), "wg", ["show", lab.iface("b"), "allowed-ips"]);
    expect(bPeers).not.toContain(agents.c!.meshIp);
  });

  it("a policy change propagates and takes effect without restarting anything", async () => {
    await api("PUT", `/api/mesh/policies/${policyId}`, {
      name: "web",
      rules: rules([
        {
          src: agents.c!.nodeId,
          dst: agents.b!.nodeId,
          port: 9090,
          protocol: "tcp",
          action: "allow",
        },
      ]),
    });
    await eventually("c → b:9090 connects", async () => (await probe("c", "b", 9090)) === "ok");
    expect(await probe("c", "b", 8080)).toBe("timeout");
    expect(await probe("a", "b", 9090)).toBe("timeout");
    expect(await probe("a", "b", 8080)).toBe("ok");
    // Acked: the control plane records what b applied, and b's status file says the same.
    const b = agents.b!;
    await eventually("b acks the new revision", async () => {
      const node = (await api("GET", `/api/nodes/${b.nodeId}`)) as {
        status: {
          applied_revision: number | null;
          desired_revision: number;
          ruleset_hash: string | null;
        };
      };
      return (
        node.status.applied_revision === node.status.desired_revision &&
        node.status.ruleset_hash === readStatus(b.dataDir)?.ruleset_hash
      );
    });
    expect(readStatus(b.dataDir)).toMatchObject({ mode: "enforce", errors: [] });
  });

  it("a node switched to audit mode stops dropping, and drops again back in enforce", async () => {
    const b = agents.b!.nodeId;
    await api("PATCH", `/api/nodes/${b}`, { mode: "audit" });
    await eventually(
      "a → b:9090 passes in audit mode",
      async () => (await probe("a", "b", 9090)) === "ok",
    );
    expect(readStatus(agents.b!.dataDir)?.mode).toBe("audit");
    await api("PATCH", `/api/nodes/${b}`, { mode: "enforce" });
    await eventually(
      "a → b:9090 dropped again",
      async () => (await probe("a", "b", 9090, 800)) === "timeout",
    );
    expect(await probe("a", "b", 8080)).toBe("ok");
  });

  it("a hand-deleted nft rule is restored by the next reconcile", async () => {
    const b = lab.node("b");
    const table = async () =>
      (await runChecked(b, "nft", ["list", "table", "inet", "tether"])).replace(
        /counter packets \d+ bytes \d+/g,
        "counter",
      );
    const before = await table();
    const listing = await runChecked(b, "nft", ["-a", "list", "table", "inet", "tether"]);
    const line = listing.split("\n").find((l) => l.includes("dport 8080") && l.includes("accept"));
    expect(line, listing).toBeDefined();
    const chain = chainOf(listing, line!);
    const handle = /# handle (\d+)/.exec(line!)![1]!;
    await runChecked(b, "nft", ["delete", "rule", "inet", "tether", chain, "handle", handle]);
    expect(await table()).not.toBe(before);
    await eventually(
      "the rule is back",
      async () => (await table()) === before,
      RECONCILE_SEC * 1000 + 10_000,
    );
    expect(await probe("a", "b", 8080)).toBe("ok");
  });

  it("stopping the control plane leaves enforcement in place", async () => {
    await cp!.stop();
    cp = undefined;
    await new Promise((r) => setTimeout(r, RECONCILE_SEC * 1000 + 500));
    expect(await probe("a", "b", 8080)).toBe("ok");
    expect(await probe("c", "b", 9090)).toBe("ok");
    expect(await probe("a", "b", 9090)).toBe("timeout");
    expect(await probe("c", "b", 8080)).toBe("timeout");
  });

  it("an agent restarted while the control plane is down enforces from its cache", async () => {
    const b = agents.b!;
    await b.stop();
    // Lose the kernel state as a reboot would: the table and the interface.
    await runChecked(lab.node("b"), "nft", ["delete", "table", "inet", "tether"]);
    await runChecked(lab.node("b"), "ip", ["link", "delete", "dev", lab.iface("b")]);
    await b.start();
    await eventually(
      "a → b:8080 connects again",
      async () => (await probe("a", "b", 8080)) === "ok",
    );
    expect(b.logs.some((l) => l.includes("enforcing the cached state"))).toBe(true);
    expect(await probe("a", "b", 9090)).toBe("timeout");
    // c's WireGuard session with the old interface has to expire and re-handshake first.
    await eventually(
      "c → b:9090 connects again",
      async () => (await probe("c", "b", 9090)) === "ok",
    );
    expect(await probe("c", "b", 8080)).toBe("timeout");
  });

  it("the control plane coming back resumes the stream: changes flow again", async () => {
    cp = await startControlPlane({ port: cpPort, dataDir: cpDir });
    await eventually(
      "every agent is connected again",
      async () => Object.values(agents).every((a) => readStatus(a.dataDir)?.connected === true),
      30_000,
    );
    await api("PUT", `/api/mesh/policies/${policyId}`, { name: "web", rules: rules() });
    await eventually(
      "c → b:9090 dropped again",
      async () => (await probe("c", "b", 9090, 800)) === "timeout",
    );
    expect(await probe("a", "b", 8080)).toBe("ok");
    expect(readStatus(agents.b!.dataDir)).toMatchObject({ source: "control-plane", errors: [] });
  });
});

/** The chain a rule line of `nft -a list table` belongs to. */
function chainOf(listing: string, line: string): string {
  let chain = "";
  for (const l of listing.split("\n")) {
    const m = /^\s*chain (\S+) \{/.exec(l);
    if (m) chain = m[1]!;
    if (l === line) return chain;
  }
  throw new Error("rule not found");
}
