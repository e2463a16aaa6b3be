/**
 * tether-agent's runtime, for embedding and tests. The command line is
 * `agent/bin/tether-agent.js` (`join`, `run`, `status`, `down`).
 *
 * @example
 * import { Daemon, httpControlPlane, createEnforcement, loadConfig } from "@tether/agent";
 */
export { main } from "./cli/main.ts";
export { join } from "./cli/join.ts";
export { type ConfigSources, ConfigError, loadConfig } from "./config/load.ts";
export { type AgentConfig, AgentConfigSchema } from "./config/schema.ts";
export { httpControlPlane, register } from "./daemon/api.ts";
export { Daemon, type DaemonDeps } from "./daemon/daemon.ts";
export { createEnforcement } from "./daemon/enforcement.ts";
export type { ControlPlaneApi, Enforcement, ReconcileOutcome } from "./daemon/ports.ts";
export { ControlPlaneError, CredentialRefused } from "./daemon/ports.ts";
export { teardownKernel } from "./daemon/teardown.ts";
export { createLogger, type Logger } from "./log.ts";
export { SseClient, type SseClientOptions } from "./stream/sse-client.ts";
export { EnvelopeVerifier, type Verdict } from "./verify/verifier.ts";
export { applyEvent } from "./state/apply-event.ts";
export { createExecRunner } from "./sys/exec-runner.ts";
export type { Runner, RunResult } from "./sys/runner.ts";
