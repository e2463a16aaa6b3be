import type { NodeMode, NodeState } from "@tether/schema/wire";
import { PolicyEngine, type PolicyLogger, peersById } from "../policy/engine.ts";
import { type CompiledRuleset, compileRuleset } from "../nftables/render.ts";
import { addressFamily, isAddress } from "../policy/firewall-rule.ts";
import { type DesiredPeer, desiredPeers } from "../wireguard/peers.ts";

/** What the node should look like: its verified state plus local settings. */
export interface DesiredNode {
  /** The last verified state (from the stream, `GET /state`, or the cache). */
  state: NodeState;
  /** A local override of `state.node.mode`. */
  mode?: NodeMode;
  /** The WireGuard interface (default name in tether: `tether0`). */
  iface: string;
  /** WireGuard listen port; 0 = let WireGuard pick (never rewritten). */
  listenPort: number;
  /** The node's private key, in a 0600 file; only this path reaches argv. */
  privateKeyPath: string;
  /** The node's public key: tells whether the interface already holds our private key. */
  publicKey?: string;
  /** nft table name, default `tether`. */
  table?: string;
  /** Persistent keepalive for every peer, seconds (0 = off, the default). */
  keepalive?: number;
}

/** Everything the planner derives from {@link DesiredNode}, computed once per reconcile. */
export interface Derived {
  mode: NodeMode;
  /** The interface address: `<mesh_ip>/<prefix of mesh_cidr>`. */
  address: string | null;
  peers: DesiredPeer[];
  ruleset: CompiledRuleset;
  /** Peers left out (malformed key, address or endpoint), mesh address problems. */
  problems: string[];
}

/**
 * Runs the policy engine over the state: visible peers (all of them in
 * mode `off`, like the seed's disabled Enforcer) and the rendered ruleset
 * built from those same peers, so a firewall address never names a peer
 * that is not configured.
 */
export function derive(desired: DesiredNode, log?: PolicyLogger): Derived {
  const { state } = desired;
  const mode = desired.mode ?? state.node.mode;
  const engine = new PolicyEngine(log);
  // Mode off configures every peer the server sent (the seed's disabled Enforcer), never the node itself.
  const visible =
    mode === "off"
      ? state.peers.filter((p) => p.id !== state.node.id)
      : engine.filterPeers(state.peers, state.policies, state.node);
  const wg = desiredPeers(visible, desired.keepalive ?? 0);
  const { rules, sets } = engine.buildFirewallRules(
    state.policies,
    state.node,
    desired.iface,
    peersById(visible),
  );
  const ruleset = compileRuleset({
    table: desired.table ?? "tether",
    iface: desired.iface,
    mode,
    rules,
    sets,
  });
  const problems = [...wg.problems];
  const address = meshAddress(state.node.mesh_ip, state.node.mesh_cidr);
  if (address === null) {
    problems.push(
      `mesh address: invalid mesh IP ${JSON.stringify(state.node.mesh_ip)} or CIDR ${JSON.stringify(state.node.mesh_cidr)}`,
    );
  }
  return { mode, address, peers: wg.peers, ruleset, problems };
}

function meshAddress(ip: string, cidr: string): string | null {
  if (!isAddress(ip) || ip.includes("/")) return null;
  const prefix = /\/(\d{1,3})$/.exec(cidr)?.[1];
  const max = addressFamily(ip) === 4 ? 32 : 128;
  if (prefix === undefined || Number(prefix) > max || addressFamily(cidr) !== addressFamily(ip))
    return null;
  return `${ip}/${prefix}`;
}
