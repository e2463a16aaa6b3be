import { createHash } from "node:crypto";
import type { NodeMode, PortRange } from "@tether/schema/wire";
import {
  ANY_ADDRESS,
  addressFamily,
  DEFAULT_DENY,
  type FirewallRule,
  validateFirewallRule,
} from "../policy/firewall-rule.ts";
import { type MergedRule, mergeByEndpoints } from "./merge.ts";
import { HASH_MARK, type RulesetShape } from "./shape.ts";

export const DEFAULT_TABLE = "tether";
/** The regular chain holding the policy; `input` and `forward` jump to it for the mesh interface. */
export const MESH_CHAIN = "mesh";

/** What the agent's table is rendered from. */
export interface RulesetInput {
  /** Table name (`inet <table>`), default `tether`. */
  table?: string;
  /** The mesh (WireGuard) interface: the only traffic the table filters. */
  iface: string;
  /** `enforce` drops, `audit` counts and logs what it would drop, `off` removes the table. */
  mode: NodeMode;
  /** From `PolicyEngine.buildFirewallRules`; a default-deny rule in it is replaced by the final drop. */
  rules: readonly FirewallRule[];
  /** Address sets referenced as `@name` by the rules. */
  sets: ReadonlyMap<string, readonly string[]>;
}

export interface CompiledRuleset {
  /** The `nft -f -` script: one transaction that replaces the table whether or not it exists. */
  text: string;
  /** {@link rulesetHash} of `text`, also embedded in it. */
  hash: string;
  /** What `parseNftJson` should read back once `text` is applied. */
  shape: RulesetShape;
}

export class RenderError extends Error {
  override name = "RenderError";
}

const IFACE = /^[A-Za-z0-9_.-]{1,15}$/;
const TABLE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const HASH_IN_TEXT = /tether sha256:[0-9a-f]{64}/g;

/**
 * SHA-256 hex of a rendered script, ignoring the hash it embeds (so
 * `rulesetHash(renderRuleset(x))` is the hash found in the applied table).
 */
export function rulesetHash(text: string): string {
  return createHash("sha256").update(text.replace(HASH_IN_TEXT, HASH_MARK)).digest("hex");
}

/**
 * Renders the agent's nftables table. Pure; see {@link compileRuleset}.
 *
 * @example
 * const { rules, sets } = engine.buildFirewallRules(policies, node, "tether0", peers);
 * await runner.run("nft", ["-f", "-"], { stdin: renderRuleset({ iface: "tether0", mode: "enforce", rules, sets }) });
 */
export function renderRuleset(input: RulesetInput): string {
  return compileRuleset(input).text;
}

/**
 * The script, its hash and its expected shape. The table:
 * - `input` and `forward` base chains (policy accept) jump to `mesh` only for
 *   packets arriving on the mesh interface: other interfaces are untouched;
 * - `mesh`: established/related accepted (carrying the hash comment), then
 *   deny rules, then allow rules (deny wins), then a final drop; every
 *   verdict rule counts, and one that matches any protocol is preceded by
 *   count-only rules per protocol (tcp, udp, icmp) for telemetry;
 * - group addresses live in named sets (`<set>_4`, `<set>_6`);
 * - in audit mode the deny rules and the final drop log
 *   (`tether-audit …`) and accept instead of dropping;
 * - mode `off` renders only the table's removal.
 *
 * @throws RenderError on input that could not be rendered safely.
 */
export function compileRuleset(input: RulesetInput): CompiledRuleset {
  const table = input.table ?? DEFAULT_TABLE;
  if (!TABLE.test(table))
    throw new RenderError(`nftables: invalid table name ${JSON.stringify(table)}`);
  if (!IFACE.test(input.iface)) {
    throw new RenderError(`nftables: invalid interface name ${JSON.stringify(input.iface)}`);
  }
  const head = `table inet ${table}\ndelete table inet ${table}\n`;
  if (input.mode === "off") {
    const text = `# tether: mode off, no filtering\n${head}`;
    return {
      text,
      hash: rulesetHash(text),
      shape: { exists: false, hash: null, chains: {}, sets: {} },
    };
  }
  const sets = renderSets(input.sets);
  const audit = input.mode === "audit";
  const meshRules: [string, string][] = [[`ct state established,related accept`, HASH_MARK]];
  const ordered = input.rules.filter((r) => r.origin !== DEFAULT_DENY);
  for (const action of ["deny", "allow"] as const) {
    const these: FirewallRule[] = [];
    for (const rule of ordered) {
      if (rule.action !== action) continue;
      const problem = validateFirewallRule(rule);
      if (problem) throw new RenderError(`nftables: ${rule.origin}: ${problem.message}`);
      if (rule.iface !== input.iface) {
        throw new RenderError(
          `nftables: ${rule.origin}: interface ${rule.iface}, want ${input.iface}`,
        );
      }
      these.push(rule);
    }
    for (const merged of mergeByEndpoints(these)) {
      const more = merged.count > 1 ? ` +${merged.count - 1}` : "";
      const tag = `${commentText(merged.rule.origin)}${more}`;
      const verdict =
        action === "allow"
          ? "counter accept"
          : audit
            ? `counter log prefix "tether-audit deny ${tag} " accept`
            : "counter drop";
      for (const [match, suffix] of matches(merged, sets.families)) {
        const comment = `${tag}${suffix}`;
        if (merged.rule.protocol === "") meshRules.push(...protocolCounters(match, comment));
        meshRules.push([`${match}${verdict}`, comment]);
      }
    }
  }
  meshRules.push(...protocolCounters("", DEFAULT_DENY));
  meshRules.push([
    audit ? `counter log prefix "tether-audit drop " accept` : "counter drop",
    DEFAULT_DENY,
  ]);
  const base = (hook: string) =>
    `\tchain ${hook} {\n\t\ttype filter hook ${hook} priority filter; policy accept;\n` +
    `\t\tiifname "${input.iface}" jump ${MESH_CHAIN} comment "${hook}"\n\t}\n`;
  const body =
    `# tether ruleset for ${input.iface}, mode ${input.mode}, ${HASH_MARK}\n${head}` +
    `table inet ${table} {\n${sets.text}` +
    `\tchain ${MESH_CHAIN} {\n${meshRules.map(([r, c]) => `\t\t${r} comment "${c}"\n`).join("")}\t}\n` +
    `${base("input")}${base("forward")}}\n`;
  const hash = createHash("sha256").update(body).digest("hex");
  const text = body.replaceAll(HASH_MARK, `${HASH_MARK}${hash}`);
  const hook = (h: string) => ({ hook: `filter ${h} 0 accept`, rules: [h] });
  return {
    text,
    hash,
    shape: {
      exists: true,
      hash,
      chains: {
        [MESH_CHAIN]: {
          hook: null,
          rules: meshRules.map(([, c], i) => (i === 0 ? `${HASH_MARK}${hash}` : c)),
        },
        input: hook("input"),
        forward: hook("forward"),
      },
      sets: sets.elements,
    },
  };
}

/** Protocols a rule that matches any protocol is counted by, and their matches. */
export const COUNTED_PROTOCOLS = [
  ["tcp", "meta l4proto tcp"],
  ["udp", "meta l4proto udp"],
  ["icmp", "meta l4proto { icmp, ipv6-icmp }"],
] as const;

/** The comment of a count-only rule: its verdict rule's comment and the protocol, `p1#2 [tcp]`. */
export const countComment = (verdictComment: string, protocol: string) =>
  `${verdictComment} [${protocol}]`;

/**
 * Count-only rules (no verdict) placed before a rule that matches any
 * protocol, one per protocol telemetry can name, so the agent can report
 * its drops and accepts per protocol (`nft -j` gives one counter per rule).
 */
function protocolCounters(match: string, verdictComment: string): [string, string][] {
  return COUNTED_PROTOCOLS.map(([protocol, m]) => [
    `${match}${m} counter`,
    countComment(verdictComment, protocol),
  ]);
}

/** Set name → which families it has elements of. */
type Families = Map<string, { 4: boolean; 6: boolean }>;

function renderSets(sets: ReadonlyMap<string, readonly string[]>) {
  const families: Families = new Map();
  const elements: Record<string, string[]> = {};
  let text = "";
  for (const [name, members] of sets) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,28}$/.test(name)) {
      throw new RenderError(`nftables: invalid set name ${JSON.stringify(name)}`);
    }
    const fam = { 4: false, 6: false };
    for (const f of [4, 6] as const) {
      const own = [...new Set(members.filter((m) => addressFamily(m) === f))].sort();
      if (own.length === 0) continue;
      fam[f] = true;
      for (const m of own) {
        if (!/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(m)) {
          throw new RenderError(`nftables: set ${name}: invalid address ${JSON.stringify(m)}`);
        }
      }
      const interval = own.some((m) => m.includes("/")) ? "\t\tflags interval\n" : "";
      const lines: string[] = [];
      for (let i = 0; i < own.length; i += 8) lines.push(own.slice(i, i + 8).join(", "));
      text +=
        `\tset ${name}_${f} {\n\t\ttype ${f === 4 ? "ipv4_addr" : "ipv6_addr"}\n${interval}` +
        `\t\telements = {\n\t\t\t${lines.join(",\n\t\t\t")}\n\t\t}\n\t}\n`;
      elements[`${name}_${f}`] = own;
    }
    families.set(name, fam);
  }
  return { text, families, elements };
}

/**
 * The match part of a rule, once per address family it can apply to
 * (none when a set has no member of that family), with a comment suffix.
 */
function matches({ rule, ports }: MergedRule, families: Families): [string, string][] {
  const l4 = portMatch(rule.protocol, ports);
  if (rule.srcIp === ANY_ADDRESS && rule.dstIp === ANY_ADDRESS) return [[l4, ""]];
  const out: [string, string][] = [];
  for (const f of [4, 6] as const) {
    const src = addressMatch(rule.srcIp, "saddr", f, families);
    const dst = addressMatch(rule.dstIp, "daddr", f, families);
    if (src !== null && dst !== null) out.push([`${src}${dst}${l4}`, f === 6 ? " v6" : ""]);
  }
  return out;
}

function addressMatch(addr: string, dir: string, f: 4 | 6, families: Families): string | null {
  if (addr === ANY_ADDRESS) return "";
  const ip = f === 4 ? "ip" : "ip6";
  if (addr.startsWith("@")) {
    const name = addr.slice(1);
    const fam = families.get(name);
    if (!fam) throw new RenderError(`nftables: unknown set ${JSON.stringify(addr)}`);
    return fam[f] ? `${ip} ${dir} @${name}_${f} ` : null;
  }
  return addressFamily(addr) === f ? `${ip} ${dir} ${addr} ` : null;
}

function portMatch(protocol: FirewallRule["protocol"], ports: PortRange[] | null): string {
  if (protocol === "") return "";
  if (!ports) return `meta l4proto ${protocol} `;
  const text = ports.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
  return `${protocol} dport ${text.length === 1 ? text[0] : `{ ${text.join(", ")} }`} `;
}

/** Rule origins are policy ids: keep comments and log prefixes to safe characters. */
function commentText(origin: string): string {
  return origin.replace(/[^\w#.:/-]/g, "_").slice(0, 100);
}
