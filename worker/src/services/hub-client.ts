import type { StatusReport } from "@tether/schema/wire";
import type { Env } from "../env.ts";
import type { AckResult } from "../hub/ack-batcher.ts";
import type { PingResult } from "../hub/ping-log.ts";
import type { Delivery } from "./events.ts";

/** The org Hubs, as handlers use them (a fake in unit tests). */
export interface HubClient {
  publish(orgId: string, deliveries: Delivery[]): Promise<void>;
  /** Opens the bridge WebSocket for one node's SSE stream. */
  connect(orgId: string, nodeId: string, credentialHash: string): Promise<WebSocket>;
  /**
   * Hands an agent's WebSocket upgrade to its Hub (the WebSocket transport).
   * With `replay`, live frames are held until {@link HubClient.replay}.
   */
  connectAgent(
    orgId: string,
    nodeId: string,
    credentialHash: string,
    opts: { connId: string; afterSeq: number; replay: boolean },
  ): Promise<Response>;
  /** The frames an agent socket missed; null = the replay failed (the socket is closed). */
  replay(orgId: string, nodeId: string, connId: string, frames: string[] | null): Promise<boolean>;
  /** A status ack batched by the Hub; null when the node has no stream there. */
  ack(
    orgId: string,
    nodeId: string,
    credentialHash: string,
    report: StatusReport,
  ): Promise<AckResult | null>;
  disconnect(orgId: string, nodeId: string, reason: string): Promise<void>;
  ping(orgId: string, id: string): Promise<number>;
  /** A node's answer to a ping; null when the node has no stream there. */
  pong(
    orgId: string,
    nodeId: string,
    credentialHash: string,
    pingId: string,
  ): Promise<boolean | null>;
  /** Who answered a ping; null when the Hub does not remember it. */
  pingResult(orgId: string, id: string): Promise<PingResult | null>;
  connected(orgId: string): Promise<{ node_id: string; since: string }[]>;
}

export function hubClient(env: Pick<Env, "HUB">): HubClient {
  const hub = (orgId: string) => env.HUB.get(env.HUB.idFromName(orgId));
  return {
    publish: (orgId, deliveries) => hub(orgId).publish(deliveries),
    async connect(orgId, nodeId, credentialHash) {
      const res = await hub(orgId).fetch(`https://hub/connect?node=${encodeURIComponent(nodeId)}`, {
        headers: { upgrade: "websocket", "x-credential-hash": credentialHash },
      });
      if (!res.webSocket) throw new Error(`hub refused the stream (${res.status})`);
      res.webSocket.accept();
      return res.webSocket;
    },
    connectAgent(orgId, nodeId, credentialHash, { connId, afterSeq, replay }) {
      const q = new URLSearchParams({
        node: nodeId,
        transport: "agent",
        conn: connId,
        after: String(afterSeq),
        replay: replay ? "1" : "0",
      });
      return hub(orgId).fetch(`https://hub/connect?${q}`, {
        headers: { upgrade: "websocket", "x-credential-hash": credentialHash },
      });
    },
    replay: (orgId, nodeId, connId, frames) => hub(orgId).replay(nodeId, connId, frames),
    ack: (orgId, nodeId, credentialHash, report) => hub(orgId).ack(nodeId, credentialHash, report),
    async disconnect(orgId, nodeId, reason) {
      await hub(orgId).disconnect(nodeId, reason);
    },
    ping: (orgId, id) => hub(orgId).ping(id),
    pong: (orgId, nodeId, credentialHash, pingId) =>
      hub(orgId).pong(nodeId, credentialHash, pingId),
    pingResult: (orgId, id) => hub(orgId).pingResult(id),
    connected: (orgId) => hub(orgId).connected(),
  };
}
