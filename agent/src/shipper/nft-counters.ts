import type { NetworkEvent } from "@tether/schema/wire";
import { MESH_CHAIN } from "../nftables/render.ts";
import { HASH_IN_COMMENT } from "../nftables/shape.ts";
import type { Runner } from "../sys/runner.ts";

type Action = NetworkEvent["action"];
type Protocol = "tcp" | "udp" | "icmp";

/** One counting rule of the agent's `mesh` chain, as `nft -j` lists it. */
export interface RuleCounter {
  /** The rule's comment: the policy rule it comes from (`p1#2`, `default-deny [tcp]`). */
  comment: string;
  protocol: Protocol;
  /** `allowed` (accepted), `blocked` (dropped), `denied` (audit mode: would drop, logged and let through). */
  action: Action;
  /** A single destination port the rule names, else null. */
  dport: number | null;
  /** A single destination address the rule names, else null. */
  daddr: string | null;
  packets: number;
  bytes: number;
}

/** Counter values last reported, per rule comment, and the ruleset they were read from. */
export interface CounterBaseline {
  hash: string | null;
  rules: Record<string, { packets: number; bytes: number }>;
}

interface NftRule {
  chain?: string;
  comment?: string;
  expr?: Record<string, unknown>[];
}

const COUNT_RULE = /^(.*) \[(tcp|udp|icmp)\]$/;

/**
 * The counting rules of `nft -j list chain inet <table> mesh` and the
 * ruleset hash. A rule for one protocol counts for itself; a rule for any
 * protocol is counted by the count-only rules the renderer puts before it
 * (`<comment> [tcp]` …), which take their action from it. The
 * established/related rule does not count (return traffic of flows already
 * decided).
 */
export function parseRuleCounters(json: string | unknown): {
  hash: string | null;
  counters: RuleCounter[];
} {
  const doc = (typeof json === "string" ? JSON.parse(json) : json) as { nftables?: unknown };
  const rules = (Array.isArray(doc?.nftables) ? doc.nftables : [])
    .map((o) => (o as { rule?: NftRule }).rule)
    .filter((r): r is NftRule => r !== undefined && r.chain === MESH_CHAIN);
  let hash: string | null = null;
  const verdicts = new Map<string, Action>();
  for (const rule of rules) {
    const mark = HASH_IN_COMMENT.exec(rule.comment ?? "");
    if (mark) hash = mark[1]!;
    const action = actionOf(rule.expr ?? []);
    if (action && rule.comment !== undefined) verdicts.set(rule.comment, action);
  }
  const counters: RuleCounter[] = [];
  for (const rule of rules) {
    const expr = rule.expr ?? [];
    const counter = expr.find((e) => "counter" in e)?.counter as
      | { packets?: number; bytes?: number }
      | undefined;
    if (!counter || rule.comment === undefined) continue;
    const countOnly = COUNT_RULE.exec(rule.comment);
    const protocol = countOnly ? (countOnly[2] as Protocol) : protocolOf(expr);
    const action = countOnly ? verdicts.get(countOnly[1]!) : actionOf(expr);
    if (!protocol || !action) continue; // any-protocol verdict rule: its count-only rules report it
    counters.push({
      comment: rule.comment,
      protocol,
      action,
      dport: dportOf(expr),
      daddr: daddrOf(expr),
      packets: counter.packets ?? 0,
      bytes: counter.bytes ?? 0,
    });
  }
  return { hash, counters };
}

/**
 * Network events for what the counters saw since `baseline`: one per rule
 * whose packet count grew, `inbound` (the chain filters traffic arriving on
 * the mesh interface), to the rule's address or else this node's mesh IP,
 * the bytes in `bytes_recv`, `comm` naming the rule (`nft:<comment>`).
 * A counter lower than its baseline, or a ruleset with another hash, was
 * reset by a re-applied table: its whole value is new.
 */
export function counterEvents(
  baseline: CounterBaseline | undefined,
  read: { hash: string | null; counters: RuleCounter[] },
  meshIp: string,
  at: Date,
): { events: NetworkEvent[]; baseline: CounterBaseline } {
  const sameRuleset = baseline !== undefined && baseline.hash === read.hash;
  const events: NetworkEvent[] = [];
  const next: CounterBaseline = { hash: read.hash, rules: {} };
  for (const c of read.counters) {
    next.rules[c.comment] = { packets: c.packets, bytes: c.bytes };
    const before = sameRuleset ? baseline.rules[c.comment] : undefined;
    const reset = !before || c.packets < before.packets || c.bytes < before.bytes;
    const packets = reset ? c.packets : c.packets - before.packets;
    const bytes = reset ? c.bytes : c.bytes - before.bytes;
    if (packets <= 0) continue;
    events.push({
      direction: "inbound",
      protocol: c.protocol,
      dst_ip: c.daddr ?? meshIp,
      dst_port: c.dport,
      bytes_recv: bytes,
      action: c.action,
      comm: `nft:${c.comment}`.slice(0, 256),
      timestamp: at.toISOString(),
    });
  }
  return { events, baseline: next };
}

/**
 * Reads the counters of the agent's table; undefined when it does not exist
 * (mode off, not applied yet).
 */
export async function readRuleCounters(
  runner: Runner,
  table = "tether",
): Promise<ReturnType<typeof parseRuleCounters> | undefined> {
  const result = await runner.run("nft", ["-j", "list", "chain", "inet", table, MESH_CHAIN]);
  if (result.code !== 0) {
    if (/No such file or directory/i.test(result.stderr)) return undefined;
    throw new Error(`nft -j list chain inet ${table} ${MESH_CHAIN}: ${result.stderr.trim()}`);
  }
  return parseRuleCounters(result.stdout);
}

function actionOf(expr: Record<string, unknown>[]): Action | undefined {
  if (expr.some((e) => "drop" in e)) return "blocked";
  if (!expr.some((e) => "accept" in e)) return undefined;
  const log = expr.find((e) => "log" in e)?.log as { prefix?: string } | undefined;
  return log?.prefix?.startsWith("tether-audit") ? "denied" : "allowed";
}

interface Match {
  left?: { payload?: { protocol?: string; field?: string }; meta?: { key?: string } };
  right?: unknown;
}
const matches = (expr: Record<string, unknown>[]) =>
  expr.filter((e) => "match" in e).map((e) => e.match as Match);

function protocolOf(expr: Record<string, unknown>[]): Protocol | undefined {
  for (const m of matches(expr)) {
    const p = m.left?.payload?.protocol;
    if ((p === "tcp" || p === "udp") && m.left?.payload?.field === "dport") return p;
    if (m.left?.meta?.key === "l4proto" && (m.right === "tcp" || m.right === "udp")) return m.right;
  }
  return undefined;
}

function dportOf(expr: Record<string, unknown>[]): number | null {
  for (const m of matches(expr)) {
    if (m.left?.payload?.field === "dport" && typeof m.right === "number") return m.right;
  }
  return null;
}

function daddrOf(expr: Record<string, unknown>[]): string | null {
  for (const m of matches(expr)) {
    const p = m.left?.payload;
    if ((p?.protocol === "ip" || p?.protocol === "ip6") && p.field === "daddr") {
      return typeof m.right === "string" && !m.right.startsWith("@") ? m.right : null;
    }
  }
  return null;
}
