import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { join } from "../../src/cli/join.ts";
import { loadConfig } from "../../src/config/load.ts";
import { httpControlPlane } from "../../src/daemon/api.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import { createEnforcement } from "../../src/daemon/enforcement.ts";
import { createLogger } from "../../src/log.ts";
import { loadIdentity } from "../../src/state/identity.ts";
import { createExecRunner } from "../../src/sys/exec-runner.ts";

/**
 * A real agent for the namespace tests: the same pieces `tether-agent run`
 * assembles (config, identity, HTTP client, kernel enforcement, daemon),
 * running in the test process on the host's loopback (where the control
 * plane listens) while every `nft`/`wg`/`ip`/`wireguard-go` command runs
 * inside the node's namespace through a namespaced Runner.
 */
export interface LabAgent {
  name: string;
  nodeId: string;
  meshIp: string;
  dataDir: string;
  logs: string[];
  daemon: Daemon | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function enrollAgent(opts: {
  name: string;
  server: string;
  token: string;
  netns: string;
  iface: string;
  endpoint: string;
  reconcileIntervalSec: number;
}): Promise<LabAgent> {
  const dataDir = mkdtempSync(joinPath(tmpdir(), `tether-agent-${opts.name}-`));
  const joined = await join({
    server: opts.server,
    token: opts.token,
    dataDir,
    name: opts.name,
    hostname: opts.name,
    endpoint: opts.endpoint,
  });
  const logs: string[] = [];
  const agent: LabAgent = {
    name: opts.name,
    nodeId: joined.node_id,
    meshIp: joined.mesh_ip,
    dataDir,
    logs,
    daemon: undefined,
    async start() {
      const config = loadConfig({
        env: {},
        flags: {
          data_dir: dataDir,
          netns: opts.netns,
          interface: opts.iface,
          reconcile_interval: String(opts.reconcileIntervalSec),
          idle_timeout: "30",
          log_level: "debug",
        },
      });
      const identity = loadIdentity(dataDir)!;
      const log = createLogger({
        level: "debug",
        write: (line) => {
          logs.push(line);
          if (process.env.TETHER_TEST_LOGS) process.stdout.write(`[${opts.name}] ${line}\n`);
        },
      });
      agent.daemon = new Daemon({
        config,
        nodeId: identity.node_id,
        api: httpControlPlane({
          server: identity.server,
          nodeId: identity.node_id,
          credential: identity.credential,
        }),
        enforcement: createEnforcement({
          config,
          identity,
          runner: createExecRunner({ netns: opts.netns }),
          log,
        }),
        log,
        timing: { retryBaseMs: 200, retryCapMs: 2000, streamBackoffBaseMs: 200 },
      });
      await agent.daemon.start();
    },
    async stop() {
      await agent.daemon?.stop();
      agent.daemon = undefined;
    },
  };
  return agent;
}

export function removeAgentData(agent: LabAgent): void {
  rmSync(agent.dataDir, { recursive: true, force: true });
}
