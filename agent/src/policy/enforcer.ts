import type { MeshMember } from "@tether/schema/mesh";
import { applyDefaults, type Config, type ResolvedConfig, validateConfig } from "./config.ts";
import type { FirewallRuleSet } from "./firewall-rule.ts";
import type { LocalNode, PeerAddress, PolicyEngine, PolicyLike, PolicyLogger } from "./engine.ts";

/**
 * The OS side of enforcement (the seed's `FirewallController`), asynchronous
 * because it runs commands. `chain` is the name of the agent's nft table.
 */
export interface FirewallController {
  /** Creates the chain (table) when missing. */
  ensureChain(chain: string): Promise<void>;
  /** Replaces every rule of the chain atomically. */
  applyRules(chain: string, ruleSet: FirewallRuleSet): Promise<void>;
  /** Removes every rule of the chain. */
  flushChain(chain: string): Promise<void>;
  /** Deletes the chain; succeeds when it does not exist. */
  deleteChain(chain: string): Promise<void>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * A {@link PolicyEngine} plus a {@link FirewallController} (the seed's
 * `Enforcer`). Behaviour by state, as in the seed:
 *
 * | enabled | firewall | filterPeers     | applyFirewallRules  | teardown          |
 * |---------|----------|-----------------|---------------------|-------------------|
 * | true    | present  | engine-filtered | rules applied       | chain removed     |
 * | true    | null     | engine-filtered | no-op, warning      | no-op             |
 * | false   | present  | all peers       | no-op               | chain removed     |
 * | false   | null     | all peers       | no-op               | no-op             |
 *
 * (Teardown when disabled still removes a chain left by an earlier, enabled run.)
 */
export class Enforcer {
  readonly config: ResolvedConfig;

  /** Applies the config defaults; throws the seed's validation error on a bad config. */
  constructor(
    private readonly engine: PolicyEngine,
    private readonly firewall: FirewallController | null,
    cfg: Config,
    private readonly log: PolicyLogger,
  ) {
    this.config = applyDefaults(cfg);
    const problem = validateConfig(this.config);
    if (problem) throw problem;
  }

  /** Engine-filtered peers, or every peer when enforcement is disabled. */
  filterPeers<T extends MeshMember>(
    peers: readonly T[],
    policies: readonly PolicyLike[],
    local: string | MeshMember,
  ): T[] {
    if (!this.config.enabled) return [...peers];
    return this.engine.filterPeers(peers, policies, local);
  }

  /** Builds and applies the rules; errors are prefixed `policy: enforce:`. */
  async applyFirewallRules(
    policies: readonly PolicyLike[],
    local: string | LocalNode,
    iface: string,
    peersById: ReadonlyMap<string, string | PeerAddress>,
  ): Promise<void> {
    if (!this.config.enabled) return;
    if (!this.firewall) {
      this.log.warn("policy: no firewall controller; firewall rules not applied");
      return;
    }
    const ruleSet = this.engine.buildFirewallRules(policies, local, iface, peersById);
    try {
      await this.firewall.ensureChain(this.config.chainName);
      await this.firewall.applyRules(this.config.chainName, ruleSet);
    } catch (e) {
      throw new Error(`policy: enforce: ${message(e)}`, { cause: e });
    }
  }

  /**
   * Flushes then deletes the chain; errors are prefixed `policy: teardown:`.
   * The delete is attempted even when the flush failed (deleting removes
   * the rules too); both failures are reported.
   */
  async teardown(): Promise<void> {
    if (!this.firewall) return;
    const errors: string[] = [];
    for (const step of [
      () => this.firewall!.flushChain(this.config.chainName),
      () => this.firewall!.deleteChain(this.config.chainName),
    ]) {
      try {
        await step();
      } catch (e) {
        errors.push(message(e));
      }
    }
    if (errors.length > 0) throw new Error(`policy: teardown: ${errors.join("; ")}`);
  }
}
