import type { AgentConfig } from "../config/schema.ts";
import { AGENT_VERSION } from "../daemon/report.ts";
import type { Logger } from "../log.ts";
import type { Identity } from "../state/identity.ts";
import { EdgeGovernance, type EdgeOptions } from "./edge.ts";

/**
 * The local-decisions part of `tether-agent run`: the endpoint where the
 * settings say (`opa_socket`, `opa_port`), Wasm modules fetched and decision
 * logs shipped to the control plane with the node credential.
 *
 * @example
 * new Daemon({ …, edge: edgeFromConfig({ config, server, identity, log }) });
 */
export function edgeFromConfig(deps: {
  config: AgentConfig;
  server: string;
  identity: Pick<Identity, "node_id" | "credential">;
  log: Logger;
  fetch?: typeof fetch;
  timing?: EdgeOptions["timing"];
}): EdgeGovernance {
  const { config, identity } = deps;
  const node = encodeURIComponent(identity.node_id);
  const server = deps.server.replace(/\/+$/, "");
  return new EdgeGovernance({
    nodeId: identity.node_id,
    dataDir: config.data_dir,
    listen: {
      socket: config.opa_socket === "off" ? undefined : config.opa_socket,
      port: config.opa_port,
    },
    server,
    credential: identity.credential,
    decisionsUrl: `${server}/v1/nodes/${node}/decisions`,
    headers: () => ({ authorization: `Bearer ${identity.credential}` }),
    log: deps.log,
    labels: { agent_version: AGENT_VERSION },
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.timing ? { timing: deps.timing } : {}),
  });
}
