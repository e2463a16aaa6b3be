import { readRuleset } from "../nftables/nft.ts";
import { ABSENT, type RulesetShape } from "../nftables/shape.ts";
import { runChecked, type Runner } from "../sys/runner.ts";
import { parseWgDump, type WgDump } from "../wireguard/dump.ts";
import { type LinkInfo, readLink } from "../wireguard/link.ts";

/** What the kernel has, read fresh on every pass so drift made by hand is repaired. */
export interface ActualNode {
  /** null: the interface does not exist. */
  link: LinkInfo | null;
  /** null: no interface (or it could not be read, see `unreadable`). */
  wg: WgDump | null;
  ruleset: RulesetShape;
  /** Parts that could not be read; the planner does not guess about them. */
  unreadable: ("link" | "wg" | "ruleset")[];
  /** Why, one line per unreadable part. */
  errors: string[];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Reads `ip -j addr show dev <if>`, `wg show <if> dump` and
 * `nft -j list table inet <table>`. Reads only: never writes.
 */
export async function readActual(
  runner: Runner,
  iface: string,
  table = "tether",
): Promise<ActualNode> {
  const actual: ActualNode = { link: null, wg: null, ruleset: ABSENT, unreadable: [], errors: [] };
  const fail = (part: ActualNode["unreadable"][number], e: unknown) => {
    actual.unreadable.push(part);
    actual.errors.push(`read ${part}: ${message(e)}`);
  };
  const [link, ruleset] = await Promise.allSettled([
    readLink(runner, iface),
    readRuleset(runner, table),
  ]);
  if (ruleset.status === "fulfilled") actual.ruleset = ruleset.value;
  else fail("ruleset", ruleset.reason);
  if (link.status === "rejected") {
    fail("link", link.reason);
    fail("wg", "interface unreadable");
    return actual;
  }
  actual.link = link.value;
  if (link.value === null) return actual;
  try {
    actual.wg = parseWgDump(await runChecked(runner, "wg", ["show", iface, "dump"]));
  } catch (e) {
    fail("wg", e);
  }
  return actual;
}
