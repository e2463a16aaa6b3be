import { ConfigError, type ConfigSources, loadConfig } from "../config/load.ts";
import { httpControlPlane } from "../daemon/api.ts";
import { Daemon } from "../daemon/daemon.ts";
import { createEnforcement } from "../daemon/enforcement.ts";
import { edgeFromConfig } from "../governance/from-config.ts";
import { createLogger, type LogLevel } from "../log.ts";
import { shipperFromConfig } from "../shipper/from-config.ts";
import { loadIdentity } from "../state/identity.ts";
import { createExecRunner } from "../sys/exec-runner.ts";

/**
 * `tether-agent run`: the daemon until SIGTERM/SIGINT (exit 0) or until the
 * control plane refuses the credential (exit 3).
 */
export async function runDaemon(sources: ConfigSources): Promise<number> {
  const config = loadConfig(sources);
  const identity = loadIdentity(config.data_dir);
  if (!identity) {
    throw new ConfigError(
      `run: not enrolled (no identity in ${config.data_dir}); run \`tether-agent join --server URL --token T\` first`,
    );
  }
  const log = createLogger({ level: config.log_level as LogLevel }).child({
    node_id: identity.node_id,
  });
  const runner = createExecRunner(config.netns ? { netns: config.netns } : {});
  const server = config.server ?? identity.server;
  const { telemetry } = config;
  const shipper = telemetry
    ? shipperFromConfig({
        config: { ...config, telemetry },
        server,
        nodeId: identity.node_id,
        env: sources.env ?? process.env,
        runner,
        meshIp: () => daemon.state?.node.mesh_ip,
        log,
      })
    : undefined;
  const daemon: Daemon = new Daemon({
    config,
    nodeId: identity.node_id,
    api: httpControlPlane({ server, nodeId: identity.node_id, credential: identity.credential }),
    enforcement: createEnforcement({ config, identity, runner, log }),
    edge: edgeFromConfig({ config, server, identity, log }),
    log,
    ...(shipper ? { telemetry: shipper } : {}),
  });
  const onSignal = (signal: string) => {
    log.info("signal received; stopping", { signal });
    void daemon.stop();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  log.info("starting", { server, interface: config.interface, data_dir: config.data_dir });
  await daemon.start();
  const reason = await daemon.done;
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  return reason === "credential refused" ? 3 : 0;
}
