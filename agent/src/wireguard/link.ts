import { CommandError, type Runner, runChecked } from "../sys/runner.ts";

/** The mesh interface as `ip -j addr show dev <if>` reports it. */
export interface LinkInfo {
  up: boolean;
  /** Global-scope addresses as `ip/prefix`, sorted (link-local ones are the kernel's business). */
  addresses: string[];
}

/** Parses `ip -j addr show dev <if>`; null when the output names no interface. */
export function parseIpAddrJson(json: string): LinkInfo | null {
  const list = JSON.parse(json) as {
    flags?: string[];
    addr_info?: { local?: string; prefixlen?: number; scope?: string }[];
  }[];
  const link = list[0];
  if (!link) return null;
  return {
    up: link.flags?.includes("UP") ?? false,
    addresses: (link.addr_info ?? [])
      .filter((a) => a.scope !== "link" && a.local !== undefined)
      .map((a) => `${a.local}/${a.prefixlen}`)
      .sort(),
  };
}

/** Reads the interface; null when it does not exist. */
export async function readLink(runner: Runner, iface: string): Promise<LinkInfo | null> {
  const args = ["-j", "addr", "show", "dev", iface];
  const result = await runner.run("ip", args);
  if (result.code !== 0) {
    if (/does not exist|Cannot find device/i.test(result.stderr)) return null;
    throw new CommandError("ip", args, result);
  }
  return parseIpAddrJson(result.stdout || "[]");
}

/**
 * Creates a WireGuard interface: the kernel's (`ip link add <if> type
 * wireguard`), or `wireguard-go <if>` (a userspace daemon over /dev/net/tun)
 * when the kernel has no WireGuard module.
 *
 * wireguard-go keeps its control socket in /var/run/wireguard/<if>.sock,
 * shared by every network namespace of the host: interface names must be
 * unique per host, not per namespace. Deleting the link stops the daemon.
 */
export async function createWireGuardLink(
  runner: Runner,
  iface: string,
): Promise<"kernel" | "wireguard-go"> {
  const kernel = await runner.run("ip", ["link", "add", iface, "type", "wireguard"]);
  if (kernel.code === 0) return "kernel";
  if (!/Unknown device type|not supported|No such device/i.test(kernel.stderr)) {
    throw new CommandError("ip", ["link", "add", iface, "type", "wireguard"], kernel);
  }
  // wireguard-go daemonizes (its child gets /dev/null as stdio), so this returns once the interface exists.
  await runChecked(runner, "wireguard-go", [iface]);
  return "wireguard-go";
}

/** `ip link delete <if>`; succeeds when the interface does not exist. */
export async function deleteLink(runner: Runner, iface: string): Promise<void> {
  const result = await runner.run("ip", ["link", "delete", iface]);
  if (result.code !== 0 && !/does not exist|Cannot find device/i.test(result.stderr)) {
    throw new CommandError("ip", ["link", "delete", iface], result);
  }
}
