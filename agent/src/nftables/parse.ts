import { ABSENT, HASH_IN_COMMENT, type RulesetShape } from "./shape.ts";

/** The subset of libnftables' JSON schema this reads. */
interface NftObject {
  table?: { family: string; name: string };
  chain?: {
    family: string;
    table: string;
    name: string;
    type?: string;
    hook?: string;
    prio?: number;
    policy?: string;
  };
  set?: { family: string; table: string; name: string; elem?: unknown[] };
  rule?: { family: string; table: string; chain: string; comment?: string };
}

export class NftJsonError extends Error {
  override name = "NftJsonError";
}

/**
 * Normalizes `nft -j list table inet <table>` into a {@link RulesetShape}:
 * chains with their hook and rule comments in order (an uncommented rule,
 * i.e. one added by hand, reads as `""`), sets with sorted elements, and
 * the hash from the `tether sha256:` comment. Counters, handles and nft's
 * formatting are ignored.
 *
 * @example
 * const actual = parseNftJson((await runner.run("nft", ["-j", "list", "table", "inet", "tether"])).stdout);
 * if (rulesetDrift(compiled.shape, actual).length === 0) return; // nothing to write
 */
export function parseNftJson(json: string | unknown, table = "tether"): RulesetShape {
  let doc: unknown = json;
  if (typeof json === "string") {
    try {
      doc = JSON.parse(json);
    } catch (e) {
      throw new NftJsonError(`nftables: unreadable nft JSON: ${(e as Error).message}`);
    }
  }
  const list = (doc as { nftables?: unknown } | null)?.nftables;
  if (!Array.isArray(list))
    throw new NftJsonError('nftables: nft JSON without an "nftables" array');
  const ours = (o: { family: string; table: string }) => o.family === "inet" && o.table === table;
  const shape: RulesetShape = { exists: false, hash: null, chains: {}, sets: {} };
  for (const item of list as NftObject[]) {
    if (item.table && item.table.family === "inet" && item.table.name === table)
      shape.exists = true;
    else if (item.chain && ours(item.chain)) {
      const c = item.chain;
      const hook = c.hook
        ? `${c.type ?? "?"} ${c.hook} ${c.prio ?? 0} ${c.policy ?? "accept"}`
        : null;
      shape.chains[c.name] = { hook, rules: shape.chains[c.name]?.rules ?? [] };
    } else if (item.set && ours(item.set)) {
      shape.sets[item.set.name] = (item.set.elem ?? []).map(elementText).sort();
    } else if (item.rule && ours(item.rule)) {
      const comment = item.rule.comment ?? "";
      const mark = HASH_IN_COMMENT.exec(comment);
      if (mark) shape.hash = mark[1]!;
      const chain = shape.chains[item.rule.chain];
      if (chain) chain.rules.push(comment);
      else shape.chains[item.rule.chain] = { hook: null, rules: [comment] };
    }
  }
  return shape.exists ? shape : { ...ABSENT };
}

/** A set element as text: `10.0.0.1`, `10.0.0.0/24`, `10.0.0.1-10.0.0.9`. */
function elementText(e: unknown): string {
  if (typeof e === "string" || typeof e === "number") return String(e);
  if (e && typeof e === "object") {
    const o = e as Record<string, unknown>;
    if (o.elem && typeof o.elem === "object") return elementText((o.elem as { val?: unknown }).val);
    const prefix = o.prefix as { addr?: unknown; len?: unknown } | undefined;
    if (prefix) return `${String(prefix.addr)}/${String(prefix.len)}`;
    const range = o.range as unknown[] | undefined;
    if (Array.isArray(range)) return `${elementText(range[0])}-${elementText(range[1])}`;
  }
  return JSON.stringify(e);
}

/** Whether `nft list table` failed only because the table does not exist. */
export function isMissingTable(stderr: string): boolean {
  return /No such file or directory/i.test(stderr);
}
