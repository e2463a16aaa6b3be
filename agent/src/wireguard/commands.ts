import { type Runner, runChecked } from "../sys/runner.ts";
import type { DesiredPeer } from "./peers.ts";

/**
 * `wg set` argument lists. Public keys are not secret and travel in argv;
 * the private key never does: it is read from a 0600 file or from stdin.
 */
export function setPeerArgs(iface: string, peer: DesiredPeer): string[] {
  const args = ["set", iface, "peer", peer.publicKey, "allowed-ips", peer.allowedIps.join(",")];
  if (peer.endpoint !== null) args.push("endpoint", peer.endpoint);
  args.push("persistent-keepalive", peer.keepalive > 0 ? String(peer.keepalive) : "off");
  return args;
}

export const removePeerArgs = (iface: string, publicKey: string) => [
  "set",
  iface,
  "peer",
  publicKey,
  "remove",
];

/** `wg set <if> peer … allowed-ips … [endpoint …] persistent-keepalive …` (adds or updates; allowed IPs are replaced). */
export async function setPeer(runner: Runner, iface: string, peer: DesiredPeer): Promise<void> {
  await runChecked(runner, "wg", setPeerArgs(iface, peer));
}

export async function removePeer(runner: Runner, iface: string, publicKey: string): Promise<void> {
  await runChecked(runner, "wg", removePeerArgs(iface, publicKey));
}

/** Sets the private key from a file the agent keeps 0600 (the path, not the key, is in argv). */
export async function setPrivateKeyFile(
  runner: Runner,
  iface: string,
  path: string,
): Promise<void> {
  await runChecked(runner, "wg", ["set", iface, "private-key", path]);
}

/** Sets the private key through stdin (`private-key /dev/stdin`). */
export async function setPrivateKey(
  runner: Runner,
  iface: string,
  privateKey: string,
): Promise<void> {
  await runChecked(runner, "wg", ["set", iface, "private-key", "/dev/stdin"], {
    stdin: `${privateKey}\n`,
  });
}

export async function setListenPort(runner: Runner, iface: string, port: number): Promise<void> {
  await runChecked(runner, "wg", ["set", iface, "listen-port", String(port)]);
}

export async function addAddress(runner: Runner, iface: string, cidr: string): Promise<void> {
  await runChecked(runner, "ip", ["address", "add", cidr, "dev", iface]);
}

export async function removeAddress(runner: Runner, iface: string, cidr: string): Promise<void> {
  await runChecked(runner, "ip", ["address", "del", cidr, "dev", iface]);
}

export async function setLinkUp(runner: Runner, iface: string): Promise<void> {
  await runChecked(runner, "ip", ["link", "set", iface, "up"]);
}
