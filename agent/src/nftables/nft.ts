import type { NodeMode } from "@tether/schema/wire";
import type { FirewallController } from "../policy/enforcer.ts";
import type { FirewallRuleSet } from "../policy/firewall-rule.ts";
import { CommandError, type Runner, runChecked } from "../sys/runner.ts";
import { isMissingTable, parseNftJson } from "./parse.ts";
import { DEFAULT_TABLE, renderRuleset } from "./render.ts";
import type { RulesetShape } from "./shape.ts";

/**
 * Applies a rendered script as one `nft -f -` transaction: either all of it
 * takes effect or none (the previous ruleset stays). Throws {@link CommandError}.
 */
export async function applyRuleset(runner: Runner, text: string): Promise<void> {
  await runChecked(runner, "nft", ["-f", "-"], { stdin: text });
}

/** Reads the table back (`nft -j list table inet <table>`); a missing table reads as absent. */
export async function readRuleset(runner: Runner, table = DEFAULT_TABLE): Promise<RulesetShape> {
  const args = ["-j", "list", "table", "inet", table];
  const result = await runner.run("nft", args);
  if (result.code !== 0) {
    if (isMissingTable(result.stderr)) return parseNftJson({ nftables: [] }, table);
    throw new CommandError("nft", args, result);
  }
  return parseNftJson(result.stdout, table);
}

/** Removes the table; succeeds when it does not exist (one transaction: create-if-missing, delete). */
export async function deleteTable(runner: Runner, table = DEFAULT_TABLE): Promise<void> {
  await applyRuleset(runner, `table inet ${table}\ndelete table inet ${table}\n`);
}

/**
 * The seed's `FirewallController` over nftables: the "chain" is the table
 * `inet <chain>`. `applyRules` re-renders and replaces the whole table in
 * one transaction, so `ensureChain` and `flushChain` exist for the seed's
 * call sequence and are cheap and idempotent.
 */
export class NftFirewall implements FirewallController {
  constructor(
    private readonly runner: Runner,
    private readonly mode: () => NodeMode = () => "enforce",
  ) {}

  async ensureChain(chain: string): Promise<void> {
    await applyRuleset(this.runner, `table inet ${chain}\n`);
  }

  async applyRules(chain: string, ruleSet: FirewallRuleSet): Promise<void> {
    const iface = ruleSet.rules[0]?.iface;
    if (iface === undefined)
      throw new Error("nftables: no rules to apply (want at least the default deny)");
    const text = renderRuleset({ table: chain, iface, mode: this.mode(), ...ruleSet });
    await applyRuleset(this.runner, text);
  }

  async flushChain(chain: string): Promise<void> {
    await applyRuleset(this.runner, `table inet ${chain}\nflush table inet ${chain}\n`);
  }

  async deleteChain(chain: string): Promise<void> {
    await deleteTable(this.runner, chain);
  }
}
