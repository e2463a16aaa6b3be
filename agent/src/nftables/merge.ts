import { type PortRange, parsePort } from "@tether/schema/wire";
import type { FirewallRule } from "../policy/firewall-rule.ts";

/** Rules that differ only in their ports, as one rule with a port set. */
export interface MergedRule {
  /** The first rule of the group (its addresses, protocol, action, origin). */
  rule: FirewallRule;
  /** Sorted, non-overlapping, non-adjacent ranges; null = any port. */
  ports: PortRange[] | null;
  /** How many rules were merged into this one. */
  count: number;
}

/**
 * Groups rules of the same source, destination, protocol and action, in
 * order of first appearance, merging their ports: nft then loads one rule
 * with `dport { 22, 443, 8000-8100 }` instead of three (at 10k rules, rule
 * count dominates `nft -f` time). Only rules of one action are passed
 * at a time, so merging never reorders a deny past an allow.
 */
export function mergeByEndpoints(rules: readonly FirewallRule[]): MergedRule[] {
  const groups = new Map<
    string,
    { rule: FirewallRule; ranges: PortRange[]; any: boolean; count: number }
  >();
  for (const rule of rules) {
    const key = `${rule.srcIp} ${rule.dstIp} ${rule.protocol} ${rule.action}`;
    let g = groups.get(key);
    if (!g) {
      g = { rule, ranges: [], any: false, count: 0 };
      groups.set(key, g);
    }
    g.count++;
    const range = parsePort(rule.port);
    if (range === null || rule.protocol === "") g.any = true;
    else if (range) g.ranges.push(range);
  }
  return [...groups.values()].map((g) => ({
    rule: g.rule,
    ports: g.any ? null : coalesce(g.ranges),
    count: g.count,
  }));
}

/** Sorts ranges and joins overlapping or adjacent ones (nft rejects overlapping set elements). */
export function coalesce(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}
