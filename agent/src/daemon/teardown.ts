import { type Runner, runChecked } from "../sys/runner.ts";

/**
 * Removes what the agent set up: the `inet tether` table first (so nothing
 * is left filtering a half-removed interface), then the interface. Absent
 * pieces are not errors. Returns the errors, prefixed as the seed's enforcer does.
 */
export async function teardownKernel(runner: Runner, iface: string): Promise<string[]> {
  const errors: string[] = [];
  const table = await runner.run("nft", ["list", "table", "inet", "tether"]);
  if (table.code === 0) {
    try {
      await runChecked(runner, "nft", ["delete", "table", "inet", "tether"]);
    } catch (err) {
      errors.push(`policy: teardown: ${(err as Error).message}`);
    }
  }
  const link = await runner.run("ip", ["link", "show", "dev", iface]);
  if (link.code === 0) {
    try {
      await runChecked(runner, "ip", ["link", "delete", "dev", iface]);
    } catch (err) {
      errors.push(`policy: teardown: ${(err as Error).message}`);
    }
  }
  return errors;
}
