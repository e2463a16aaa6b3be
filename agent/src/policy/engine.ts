import {
  type MeshMember,
  type MemberIndex,
  rulesOf,
  selects,
  visiblePeers,
} from "@tether/schema/mesh";
import { type MeshRule, parsePort } from "@tether/schema/wire";
import {
  ANY_ADDRESS,
  canonicalAddress,
  DEFAULT_DENY,
  type FirewallRule,
  type FirewallRuleSet,
  isAddress,
} from "./firewall-rule.ts";

/** The local node: its id, its groups (from the node state) and, to resolve rules naming it, its mesh IP. */
export interface LocalNode extends MeshMember {
  mesh_ip?: string;
}

/** A peer as the firewall needs it: where its packets come from and which groups it is in. */
export interface PeerAddress {
  mesh_ip: string;
  groups?: readonly string[];
}

/** Policies as the control plane sends them (only their rules matter here). */
export interface PolicyLike {
  id: string;
  rules: readonly MeshRule[];
}

/** The part of the agent's logger (`agent/src/log.ts`) the policy code uses. */
export interface PolicyLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}
const silent: PolicyLogger = { warn() {} };

const asLocal = (local: string | LocalNode): LocalNode =>
  typeof local === "string" ? { id: local, groups: [] } : local;

/**
 * Evaluates mesh policies for one node (the seed's `PolicyEngine`):
 * which peers it may configure and which packets it accepts.
 *
 * Selector resolution is indexed (by id and by group), so the cost is
 * O(peers + rules + matched members), not O(peers × rules).
 *
 * @example
 * const engine = new PolicyEngine(log.child({ component: "policy" }));
 * const visible = engine.filterPeers(state.peers, state.policies, state.node);
 * const { rules, sets } = engine.buildFirewallRules(state.policies, state.node, "tether0", peersById(visible));
 */
export class PolicyEngine {
  constructor(private readonly log: PolicyLogger = silent) {}

  /**
   * The peers `local` may talk to: deny by default, an allow rule naming
   * both nodes (either direction) grants visibility, deny rules grant
   * nothing, `*` matches any node. `local` as a bare id has no groups.
   */
  filterPeers<T extends MeshMember>(
    peers: readonly T[] | MemberIndex<T>,
    policies: readonly PolicyLike[],
    local: string | MeshMember,
  ): T[] {
    return visiblePeers(asLocal(local), peers, rulesOf(policies));
  }

  /**
   * The firewall rules of `local`, in policy order, default-deny last.
   *
   * - only rules naming `local` (by id, group or `*`) are used;
   * - `*` → {@link ANY_ADDRESS}; `group:<name>` → a named address set of its members;
   * - a rule naming an unknown node, or a group with no known member, is
   *   skipped with a warning: never a rule with an empty or any address
   *   (the seed emitted empty addresses, which match everything);
   * - an allow rule with an invalid protocol or port is skipped with a
   *   warning; a deny rule with one is widened to all traffic between its
   *   nodes (skipping a deny would open what it closes).
   *
   * Unknown nodes cannot send anything anyway: only visible peers are
   * configured in WireGuard, and `peersById` is built from the same list.
   */
  buildFirewallRules(
    policies: readonly PolicyLike[],
    local: string | LocalNode,
    iface: string,
    peersById: ReadonlyMap<string, string | PeerAddress>,
  ): FirewallRuleSet {
    const me = asLocal(local);
    const resolver = new SelectorResolver(me, peersById);
    const rules: FirewallRule[] = [];
    for (const policy of policies) {
      policy.rules.forEach((rule, i) => {
        if (!selects(rule.src, me) && !selects(rule.dst, me)) return;
        const origin = `${policy.id}#${i}`;
        let { port, protocol } = rule;
        const range = parsePort(port);
        const problem =
          protocol !== "" && protocol !== "tcp" && protocol !== "udp"
            ? `invalid protocol ${JSON.stringify(protocol)}`
            : range === undefined
              ? `invalid port ${JSON.stringify(port)}`
              : range && protocol === ""
                ? `port ${JSON.stringify(port)} requires a protocol`
                : null;
        if (problem) {
          if (rule.action !== "deny") {
            this.log.warn("policy: skipping rule", { origin, problem });
            return;
          }
          this.log.warn("policy: widening deny rule to all ports and protocols", {
            origin,
            problem,
          });
          port = 0;
          protocol = "";
        }
        const srcIp = resolver.address(rule.src);
        const dstIp = resolver.address(rule.dst);
        if (srcIp === null || dstIp === null) {
          const selector = srcIp === null ? rule.src : rule.dst;
          this.log.warn("policy: skipping rule naming an unknown node or empty group", {
            origin,
            selector,
          });
          return;
        }
        rules.push({ iface, srcIp, dstIp, port, protocol, action: rule.action, origin });
      });
    }
    rules.push({
      iface,
      srcIp: ANY_ADDRESS,
      dstIp: ANY_ADDRESS,
      port: 0,
      protocol: "",
      action: "deny",
      origin: DEFAULT_DENY,
    });
    return { rules, sets: resolver.sets };
  }
}

/** Selector → address text, with one named set per group selector. */
class SelectorResolver {
  readonly sets = new Map<string, string[]>();
  private readonly setOf = new Map<string, string | null>();
  private byGroup: Map<string, Set<string>> | undefined;

  constructor(
    private readonly local: LocalNode,
    private readonly peers: ReadonlyMap<string, string | PeerAddress>,
  ) {}

  /** {@link ANY_ADDRESS}, an IP, `@<set>`, or null when the selector names no known node. */
  address(selector: string): string | null {
    if (selector === "*") return ANY_ADDRESS;
    if (selector.startsWith("group:")) return this.group(selector);
    if (selector === this.local.id) return this.valid(this.local.mesh_ip);
    const peer = this.peers.get(selector);
    return this.valid(typeof peer === "string" ? peer : peer?.mesh_ip);
  }

  private valid(ip: string | undefined): string | null {
    return ip !== undefined && isAddress(ip) ? canonicalAddress(ip) : null;
  }

  private group(selector: string): string | null {
    const known = this.setOf.get(selector);
    if (known !== undefined) return known;
    const members = this.groups().get(selector.slice(6));
    let ref: string | null = null;
    if (members && members.size > 0) {
      const name = `g${this.sets.size}`;
      this.sets.set(name, [...members].sort());
      ref = `@${name}`;
    }
    this.setOf.set(selector, ref);
    return ref;
  }

  /** Group → member addresses, built once, on the first group selector. */
  private groups(): Map<string, Set<string>> {
    if (this.byGroup) return this.byGroup;
    const byGroup = new Map<string, Set<string>>();
    const add = (ip: string | undefined, groups: readonly string[] | undefined) => {
      if (ip === undefined || !groups || !isAddress(ip)) return;
      const address = canonicalAddress(ip);
      for (const g of groups) {
        const set = byGroup.get(g);
        if (set) set.add(address);
        else byGroup.set(g, new Set([address]));
      }
    };
    add(this.local.mesh_ip, this.local.groups);
    for (const [id, peer] of this.peers) {
      if (id !== this.local.id && typeof peer !== "string") add(peer.mesh_ip, peer.groups);
    }
    this.byGroup = byGroup;
    return byGroup;
  }
}

/** `peersById` from peers as the node state lists them. */
export function peersById(
  peers: Iterable<{ id: string; mesh_ip: string; groups: readonly string[] }>,
): Map<string, PeerAddress> {
  const map = new Map<string, PeerAddress>();
  for (const p of peers) map.set(p.id, { mesh_ip: p.mesh_ip, groups: p.groups });
  return map;
}
