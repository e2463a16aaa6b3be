import { randomBytes } from "node:crypto";
import { createExecRunner } from "../../src/sys/exec-runner.ts";
import { type Runner, runChecked } from "../../src/sys/runner.ts";

/**
 * A throwaway lab: a bridge namespace and one namespace per node, each node
 * joined to the bridge by a veth pair on 192.168.77.0/24. Nothing touches the
 * host's own interfaces; `destroy()` kills every process left in the lab's
 * namespaces (only ever ones the test started) and deletes the namespaces.
 */
export interface Lab {
  prefix: string;
  host: Runner;
  /** A Runner whose commands run inside the node's namespace. */
  node(name: string): Runner;
  nsName(name: string): string;
  underlayIp(name: string): string;
  /**
   * The node's WireGuard interface name. Unique per node because wireguard-go's
   * control socket (`/var/run/wireguard/<if>.sock`) lives in the shared
   * filesystem, not in the namespace: two `tether0`s would answer each other's `wg`.
   */
  iface(name: string): string;
  destroy(): Promise<void>;
}

export async function createLab(names: readonly string[]): Promise<Lab> {
  const prefix = `tt${randomBytes(3).toString("hex")}`;
  const host = createExecRunner();
  const ns = (n: string) => `${prefix}-${n}`;
  const bridge = ns("br");
  const created: string[] = [];
  const lab: Lab = {
    prefix,
    host,
    node: (n) => createExecRunner({ netns: ns(n) }),
    nsName: ns,
    underlayIp: (n) => `192.168.77.${names.indexOf(n) + 1}`,
    iface: (n) => `${prefix}w${names.indexOf(n)}`,
    async destroy() {
      // Processes keep a deleted namespace alive: end them first (TERM lets
      // wireguard-go remove its socket), then delete the namespaces.
      for (const signal of ["-TERM", "-KILL"]) {
        for (const name of created) {
          const pids = await host.run("ip", ["netns", "pids", name]);
          for (const pid of pids.stdout.split("\n").filter((p) => /^\d+$/.test(p))) {
            await host.run("kill", [signal, pid]);
          }
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      for (const name of created.reverse()) await host.run("ip", ["netns", "delete", name]);
      for (const n of names)
        await host.run("rm", ["-f", `/var/run/wireguard/${lab.iface(n)}.sock`]);
    },
  };
  try {
    for (const name of [bridge, ...names.map(ns)]) {
      await runChecked(host, "ip", ["netns", "add", name]);
      created.push(name);
      await runChecked(host, "ip", ["-n", name, "link", "set", "lo", "up"]);
    }
    await runChecked(host, "ip", ["-n", bridge, "link", "add", "br0", "type", "bridge"]);
    await runChecked(host, "ip", ["-n", bridge, "link", "set", "br0", "up"]);
    for (const [i, n] of names.entries()) {
      const inner = "eth0";
      const outer = `p${i}`;
      await runChecked(host, "ip", [
        "link",
        "add",
        "name",
        `${prefix}v${i}`,
        "netns",
        ns(n),
        "type",
        "veth",
        "peer",
        "name",
        outer,
        "netns",
        bridge,
      ]);
      await runChecked(host, "ip", ["-n", ns(n), "link", "set", `${prefix}v${i}`, "name", inner]);
      await runChecked(host, "ip", [
        "-n",
        ns(n),
        "addr",
        "add",
        `${lab.underlayIp(n)}/24`,
        "dev",
        inner,
      ]);
      await runChecked(host, "ip", ["-n", ns(n), "link", "set", inner, "up"]);
      await runChecked(host, "ip", ["-n", bridge, "link", "set", outer, "master", "br0"]);
      await runChecked(host, "ip", ["-n", bridge, "link", "set", outer, "up"]);
    }
  } catch (err) {
    await lab.destroy();
    throw err;
  }
  return lab;
}

/** Why the netns suite cannot run here, or undefined when it can. */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return "needs root (network namespaces, nft, wg)";
  const host = createExecRunner({ timeoutMs: 5000 });
  for (const [tool, args] of [
    ["ip", ["-V"]],
    ["nft", ["--version"]],
    ["wg", ["--version"]],
    ["wireguard-go", ["--version"]],
  ] as const) {
    const r = await host.run(tool, args);
    if (r.code === 127)
      return `missing ${tool} (apt-get install nftables wireguard-tools wireguard-go iproute2)`;
  }
  return undefined;
}
