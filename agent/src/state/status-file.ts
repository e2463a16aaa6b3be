import { join } from "node:path";
import type { NodeMode } from "@tether/schema/wire";
import { readJsonFile, writeJsonFile } from "./files.ts";

/** What `tether-agent status` prints; written by the daemon after every reconcile and (dis)connect. */
export interface AgentStatus {
  node_id: string;
  pid: number;
  revision: number;
  seq: number;
  mode: NodeMode;
  peers: { id: string; name: string; mesh_ip: string }[];
  /** Where the desired state came from: the control plane, or the cache while offline. */
  source: "control-plane" | "cache";
  connected: boolean;
  /** The event stream's transport (absent in files written by older agents). */
  transport?: "websocket" | "sse";
  last_sync: string | null;
  last_reconcile: string | null;
  ruleset_hash: string | null;
  errors: string[];
  updated_at: string;
}

export const statusPath = (dataDir: string) => join(dataDir, "status.json");

export function writeStatus(dataDir: string, status: AgentStatus): void {
  writeJsonFile(statusPath(dataDir), status, 0o644);
}

export function readStatus(dataDir: string): AgentStatus | undefined {
  return readJsonFile(statusPath(dataDir)) as AgentStatus | undefined;
}
