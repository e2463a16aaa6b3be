import { deleteTable } from "../nftables/nft.ts";
import type { Runner } from "../sys/runner.ts";
import { deleteLink } from "../wireguard/link.ts";

/**
 * `tether-agent down`: removes the WireGuard interface (and with it every
 * peer; wireguard-go exits when its interface goes), then the nft table.
 * In that order, and the table only once the interface is gone: a failure
 * to remove the interface leaves the filter in place (fail closed).
 * Errors are prefixed `policy: teardown:` as the seed's Enforcer does.
 * Succeeds when neither exists.
 */
export async function teardown(
  runner: Runner,
  opts: { iface: string; table?: string },
): Promise<void> {
  const errors: string[] = [];
  try {
    await deleteLink(runner, opts.iface);
  } catch (e) {
    errors.push(e instanceof Error ? e.message : String(e));
  }
  if (errors.length === 0) {
    try {
      await deleteTable(runner, opts.table ?? "tether");
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (errors.length > 0) throw new Error(`policy: teardown: ${errors.join("; ")}`);
}
