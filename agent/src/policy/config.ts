/**
 * Policy enforcement settings (the seed's `policy.Config`).
 *
 * The seed's firewall "chain" is, in tether, the one nftables table the agent
 * owns: `inet tether` (DESIGN.md §7). `chainName` names that table.
 */
export const DEFAULT_TABLE_NAME = "tether";

export interface Config {
  /** Whether policy enforcement is active (default true). */
  enabled?: boolean;
  /** nftables table (the seed's iptables chain) holding the rules (default `tether`). */
  chainName?: string;
}

export interface ResolvedConfig {
  enabled: boolean;
  chainName: string;
}

/** nft identifiers: a letter, then letters, digits, `_`; short enough for any kernel. */
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/**
 * The seed's `ApplyDefaults`: on a zero-valued config enforcement is turned
 * on and the default name filled in.
 *
 * The seed detects "zero-valued" in Go, where `Config{Enabled: false}` and
 * `Config{}` are the same value (so its documented way to disable enforcement
 * did not work), and `Config{ChainName: "x"}` silently stayed disabled. Here
 * an unset `enabled` is detectable: unset → true, an explicit `false` is kept.
 *
 * @example
 * applyDefaults({}) // { enabled: true, chainName: "tether" }
 * applyDefaults({ enabled: false }) // { enabled: false, chainName: "tether" }
 */
export function applyDefaults(cfg: Config = {}): ResolvedConfig {
  return {
    enabled: cfg.enabled ?? true,
    chainName:
      cfg.chainName === undefined || cfg.chainName === "" ? DEFAULT_TABLE_NAME : cfg.chainName,
  };
}

/** An invalid policy configuration or rule; `message` carries the seed's text. */
export class PolicyError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "PolicyError";
  }
}

/**
 * The seed's `Validate`: skipped entirely when disabled; the name must be
 * set when enabled (and, since it is rendered into an nft script, be a plain
 * identifier).
 */
export function validateConfig(cfg: Config): PolicyError | null {
  if (cfg.enabled === false) return null;
  if (!cfg.chainName) {
    return new PolicyError("policy: config: ChainName must not be empty when enabled", "chainName");
  }
  if (!TABLE_NAME.test(cfg.chainName)) {
    return new PolicyError(
      `policy: config: ChainName ${JSON.stringify(cfg.chainName)} must be a letter followed by up to 31 letters, digits or _`,
      "chainName",
    );
  }
  return null;
}
