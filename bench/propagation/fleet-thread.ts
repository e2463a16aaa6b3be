/**
 * The worker thread that hosts the simulated agents, so that their event
 * handling and signature checks do not share an event loop with the
 * embedded database the control plane runs in the bench's main thread (on
 * a real fleet, agents and database are different machines).
 */
import { parentPort } from "node:worker_threads";
import type { FleetReply, FleetRequest } from "./fleet.ts";
import { type Enrolled, SimAgent, type Transport } from "./sim-agent.ts";

/** A clock both threads share: milliseconds since the epoch, sub-millisecond resolution. */
const now = () => performance.timeOrigin + performance.now();

let agents: SimAgent[] = [];

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function handle(req: FleetRequest): Promise<FleetReply> {
  switch (req.op) {
    case "start": {
      agents = req.nodes.map(
        (n: Enrolled) => new SimAgent(req.server, n, req.transport as Transport, now),
      );
      for (let i = 0; i < agents.length; i += 100)
        await Promise.all(agents.slice(i, i + 100).map((a) => a.start()));
      await waitFor(() => agents.every((a) => a.connected), 30_000, "streams");
      return { op: "started" };
    }
    case "pings": {
      await waitFor(() => agents.every((a) => a.pongs.has(req.id)), 30_000, "pongs");
      return {
        op: "times",
        times: agents.map((a) => a.pongs.get(req.id)!),
        received: agents.map((a) => a.pings.get(req.id)!),
      };
    }
    case "acks": {
      await waitFor(() => agents.every((a) => a.acks.has(req.revision)), 60_000, "acks");
      return {
        op: "times",
        times: agents.map((a) => a.acks.get(req.revision)!),
        received: agents.map((a) => a.received.get(req.revision)!),
        verified: agents.map((a) => a.verified.get(req.revision)!),
      };
    }
    case "stop": {
      const retryReasons: Record<string, number> = {};
      for (const a of agents)
        for (const [reason, n] of a.retryReasons)
          retryReasons[reason] = (retryReasons[reason] ?? 0) + n;
      const stats = {
        verifyFailures: agents.reduce((s, a) => s + a.verifyFailures, 0),
        retries: Object.values(retryReasons).reduce((s, n) => s + n, 0),
        retryReasons,
        batchedAcks: agents.reduce((s, a) => s + a.batchedAcks, 0),
        acks: agents.reduce((s, a) => s + a.acks.size, 0),
      };
      for (const a of agents) a.stop();
      agents = [];
      return { op: "stopped", stats };
    }
  }
}

parentPort!.on("message", (req: FleetRequest) => {
  handle(req).then(
    (reply) => parentPort!.postMessage(reply),
    (err: unknown) => parentPort!.postMessage({ op: "error", message: (err as Error).message }),
  );
});
