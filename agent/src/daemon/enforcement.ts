import type { AgentConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { Identity } from "../state/identity.ts";
import type { Runner } from "../sys/runner.ts";
import type { Enforcement } from "./ports.ts";
import { teardownKernel } from "./teardown.ts";

/**
 * The kernel side of the daemon: the core's `reconcile(desired, runner, opts)`
 * (agent/src/reconcile) behind the {@link Enforcement} port.
 */
export function createEnforcement(deps: {
  config: AgentConfig;
  identity: Identity;
  runner: Runner;
  log: Logger;
}): Enforcement {
  return {
    async reconcile(desired) {
      // Until agent/src/reconcile lands, report the gap instead of pretending to enforce.
      return {
        applied: false,
        steps: 0,
        errors: [`reconcile: not available in this build (revision ${desired.revision})`],
        rulesetHash: null,
        peerCount: 0,
      };
    },
    teardown: () => teardownKernel(deps.runner, deps.config.interface),
  };
}
