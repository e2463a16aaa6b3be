import { join } from "node:path";
import type { AgentConfig } from "../config/schema.ts";
import type { TelemetryConfig } from "../config/telemetry.ts";
import type { Logger } from "../log.ts";
import type { Runner } from "../sys/runner.ts";
import { ingestSender } from "./ingest.ts";
import { loadIngestKey } from "./key.ts";
import { readRuleCounters } from "./nft-counters.ts";
import { TelemetryShipper } from "./shipper.ts";

export interface ShipperDeps {
  config: AgentConfig & { telemetry: TelemetryConfig };
  server: string;
  nodeId: string;
  env: Record<string, string | undefined>;
  runner: Runner;
  /** This node's mesh IP once the daemon knows its state. */
  meshIp: () => string | undefined;
  log: Logger;
  fetch?: typeof fetch;
  /** Retry delays (default 1 s base, 60 s cap); tests shorten them. */
  backoff?: { baseMs?: number; capMs?: number };
}

/**
 * The shipper `tether-agent run` starts when `telemetry` is configured:
 * state under `<data_dir>/telemetry/`, status in
 * `<data_dir>/spool-status/telemetry.json`, batches to the control plane's
 * ingest webhook.
 */
export function shipperFromConfig(deps: ShipperDeps): TelemetryShipper {
  const t = deps.config.telemetry;
  const log = deps.log.child({ component: "telemetry" });
  const key = loadIngestKey(t, deps.env, log);
  return new TelemetryShipper({
    appId: t.app_id,
    nodeId: deps.nodeId,
    sources: t.sources.map((s) => (s.kind ? { path: s.path, kind: s.kind } : { path: s.path })),
    stateDir: join(deps.config.data_dir, "telemetry"),
    statusDir: deps.config.data_dir,
    batchMaxEvents: t.batch_max_events,
    batchMaxMs: t.batch_max_ms,
    pollMs: t.poll_ms,
    spool: { maxBytes: t.spool_max_bytes },
    send: ingestSender({
      server: deps.server,
      key,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    }),
    ...(t.nft_counters
      ? {
          nft: {
            read: () => readRuleCounters(deps.runner),
            meshIp: deps.meshIp,
            intervalMs: t.nft_interval * 1000,
          },
        }
      : {}),
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
    log,
  });
}
