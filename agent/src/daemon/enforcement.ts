import { join } from "node:path";
import type { AgentConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { reconcile } from "../reconcile/reconcile.ts";
import { writeFileAtomic } from "../state/files.ts";
import type { Identity } from "../state/identity.ts";
import type { Runner } from "../sys/runner.ts";
import type { Enforcement } from "./ports.ts";
import { teardownKernel } from "./teardown.ts";

/** Where the WireGuard private key lives for `wg set … private-key <file>` (0600; never in argv). */
export const privateKeyPath = (dataDir: string) => join(dataDir, "wg.key");

/**
 * The kernel side of the daemon: the core's `reconcile(desired, runner, opts)`
 * (agent/src/reconcile) behind the {@link Enforcement} port.
 *
 * @example
 * const enforcement = createEnforcement({ config, identity, runner: createExecRunner(), log });
 * const outcome = await enforcement.reconcile(state);
 */
export function createEnforcement(deps: {
  config: AgentConfig;
  identity: Identity;
  runner: Runner;
  log: Logger;
}): Enforcement {
  const { config, identity, runner } = deps;
  const keyPath = privateKeyPath(config.data_dir);
  writeFileAtomic(keyPath, `${identity.private_key}\n`, 0o600);
  const log = deps.log.child({ component: "reconcile" });
  return {
    async reconcile(state) {
      const result = await reconcile(
        {
          state,
          iface: config.interface,
          listenPort: config.listen_port,
          privateKeyPath: keyPath,
          publicKey: identity.public_key,
        },
        runner,
        { log },
      );
      return {
        applied: result.changed,
        steps: result.steps.length,
        errors: result.errors,
        rulesetHash: result.rulesetHash,
        peerCount: result.peerCount,
      };
    },
    teardown: () => teardownKernel(runner, config.interface),
  };
}
