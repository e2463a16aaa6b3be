import { Worker } from "node:worker_threads";
import type { Enrolled, Transport } from "./sim-agent.ts";

export type FleetRequest =
  | { op: "start"; server: string; nodes: Enrolled[]; transport: Transport }
  | { op: "pings"; id: string }
  | { op: "acks"; revision: number }
  | { op: "stop" };

export interface FleetStats {
  verifyFailures: number;
  retries: number;
  /** Why the agents' requests were retried: reason → count. */
  retryReasons: Record<string, number>;
  batchedAcks: number;
  acks: number;
}

export type FleetReply =
  | { op: "started" }
  | { op: "times"; times: number[]; received?: number[]; verified?: number[] }
  | { op: "stopped"; stats: FleetStats }
  | { op: "error"; message: string };

/** Milliseconds since the epoch, sub-millisecond: the clock the fleet thread stamps with too. */
export const clock = () => performance.timeOrigin + performance.now();

/**
 * N simulated agents in a worker thread (see fleet-thread.ts). One request at
 * a time; times come back on {@link clock}.
 */
export class Fleet {
  // The thread is TypeScript too: it registers tsx's loader, then loads it.
  readonly #worker = new Worker(
    `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
      .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./fleet-thread.ts", import.meta.url).href)}); })`,
    { eval: true },
  );

  #ask(req: FleetRequest): Promise<FleetReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: FleetReply) => {
        this.#worker.off("error", reject);
        if (reply.op === "error") reject(new Error(`fleet: ${reply.message}`));
        else resolve(reply);
      };
      this.#worker.once("message", onMessage);
      this.#worker.once("error", reject);
      this.#worker.postMessage(req);
    });
  }

  async start(server: string, nodes: Enrolled[], transport: Transport): Promise<void> {
    await this.#ask({ op: "start", server, nodes, transport });
  }

  /** When each agent received ping `id`, and when the Hub's answer to its pong came back. */
  async pings(id: string): Promise<{ received: number[]; answered: number[] }> {
    const r = (await this.#ask({ op: "pings", id })) as { times: number[]; received: number[] };
    return { received: r.received, answered: r.times };
  }

  /**
   * When each agent's ack of `revision` was confirmed, when it received the
   * event, and when it had verified it and sent the ack.
   */
  async acks(
    revision: number,
  ): Promise<{ acked: number[]; received: number[]; verified: number[] }> {
    const r = (await this.#ask({ op: "acks", revision })) as {
      times: number[];
      received: number[];
      verified: number[];
    };
    return { acked: r.times, received: r.received, verified: r.verified };
  }

  async stop(): Promise<FleetStats> {
    return ((await this.#ask({ op: "stop" })) as { stats: FleetStats }).stats;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
