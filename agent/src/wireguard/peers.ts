import { WireGuardKey } from "@tether/schema/wire";
import { addressFamily, canonicalAddress, isAddress } from "../policy/firewall-rule.ts";
import type { ActualPeer } from "./dump.ts";

/** A WireGuard peer as the node should configure it. */
export interface DesiredPeer {
  publicKey: string;
  /** `host:port` to reach it at, or null (wait for it to reach us). */
  endpoint: string | null;
  /** Its mesh address as a host CIDR. */
  allowedIps: string[];
  /** Seconds, 0 = off. */
  keepalive: number;
}

export type PeerOp =
  | { kind: "remove"; publicKey: string }
  | { kind: "add"; peer: DesiredPeer }
  | { kind: "update"; peer: DesiredPeer; changes: string[] };

/** A host CIDR for a mesh address (`10.100.0.2` → `10.100.0.2/32`). */
export function hostCidr(ip: string): string {
  return ip.includes("/") ? ip : `${canonicalAddress(ip)}/${addressFamily(ip) === 4 ? 32 : 128}`;
}

/**
 * Desired peers from the node state's peers (already filtered by policy);
 * a peer with a malformed key or address is left out and reported.
 */
export function desiredPeers(
  peers: readonly { id: string; public_key: string; mesh_ip: string; endpoint: string | null }[],
  keepalive = 0,
): { peers: DesiredPeer[]; problems: string[] } {
  const out: DesiredPeer[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const p of peers) {
    if (!WireGuardKey.safeParse(p.public_key).success) {
      problems.push(`wireguard: peer ${p.id}: invalid public key`);
    } else if (!isAddress(p.mesh_ip)) {
      problems.push(`wireguard: peer ${p.id}: invalid mesh IP ${JSON.stringify(p.mesh_ip)}`);
    } else if (
      p.endpoint !== null &&
      !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(p.endpoint)
    ) {
      problems.push(`wireguard: peer ${p.id}: invalid endpoint ${JSON.stringify(p.endpoint)}`);
    } else if (seen.has(p.public_key)) {
      problems.push(`wireguard: peer ${p.id}: public key used by another peer`);
    } else {
      seen.add(p.public_key);
      out.push({
        publicKey: p.public_key,
        endpoint: p.endpoint,
        allowedIps: [hostCidr(p.mesh_ip)],
        keepalive,
      });
    }
  }
  return { peers: out, problems };
}

const IP_ENDPOINT = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/;

/**
 * What to change so the interface has exactly the desired peers. Removals
 * come first (a key that changed is a removal plus an addition, and an
 * address moving between peers must leave the old one first), then
 * updates, then additions.
 *
 * Endpoints: WireGuard learns a peer's current endpoint from its packets
 * (roaming) and shows hostnames resolved, so an endpoint is only rewritten
 * when the kernel has none or the desired one is an IP literal that
 * differs; otherwise an unchanged state would write on every pass.
 */
export function planPeers(
  desired: readonly DesiredPeer[],
  actual: readonly ActualPeer[],
): PeerOp[] {
  const want = new Map(desired.map((p) => [p.publicKey, p]));
  const have = new Map(actual.map((p) => [p.publicKey, p]));
  const removes: PeerOp[] = [];
  const updates: PeerOp[] = [];
  const adds: PeerOp[] = [];
  for (const a of actual)
    if (!want.has(a.publicKey)) removes.push({ kind: "remove", publicKey: a.publicKey });
  for (const d of desired) {
    const a = have.get(d.publicKey);
    if (!a) {
      adds.push({ kind: "add", peer: d });
      continue;
    }
    const changes: string[] = [];
    const ips = [...d.allowedIps].sort();
    if (ips.length !== a.allowedIps.length || ips.some((ip, i) => a.allowedIps[i] !== ip)) {
      changes.push("allowed-ips");
    }
    if (
      d.endpoint !== null &&
      (a.endpoint === null || (IP_ENDPOINT.test(d.endpoint) && a.endpoint !== d.endpoint))
    ) {
      changes.push("endpoint");
    }
    if (d.keepalive !== a.keepalive) changes.push("persistent-keepalive");
    if (changes.length > 0) updates.push({ kind: "update", peer: d, changes });
  }
  return [...removes, ...updates, ...adds];
}
