/** Who a ping reached, who answered it, and how fast. */
export interface PingResult {
  id: string;
  sent_at: string;
  /** Nodes the ping was sent to (a node with two open streams counts once). */
  sent: number;
  /** Nodes that answered, fastest first; rtt_ms is send → answer, as the Hub saw it. */
  answered: { node_id: string; rtt_ms: number }[];
  /** Nodes it was sent to that have not answered (yet). */
  missing: string[];
}

interface Entry {
  sentAt: number;
  /** node id → answer time, or null while unanswered. */
  nodes: Map<string, number | null>;
}

/**
 * The Hub's memory of its last few pings (a liveness probe of the agents
 * behind each open stream). In memory only: a Hub that hibernates forgets
 * them, which costs nothing but the answer to an old question.
 */
export class PingLog {
  readonly #pings = new Map<string, Entry>();

  constructor(private readonly capacity = 16) {}

  /** A ping sent now to these nodes; the oldest ping is forgotten beyond capacity. */
  sent(id: string, nodeIds: readonly string[], at: number): void {
    this.#pings.set(id, { sentAt: at, nodes: new Map(nodeIds.map((n) => [n, null])) });
    while (this.#pings.size > this.capacity) {
      this.#pings.delete(this.#pings.keys().next().value as string);
    }
  }

  /** Records a node's answer; false for a ping not (or no longer) known, or not sent to it. */
  answered(id: string, nodeId: string, at: number): boolean {
    const entry = this.#pings.get(id);
    if (!entry?.nodes.has(nodeId)) return false;
    // The first answer counts: a node with two streams answers twice.
    if (entry.nodes.get(nodeId) === null) entry.nodes.set(nodeId, at);
    return true;
  }

  result(id: string): PingResult | null {
    const entry = this.#pings.get(id);
    if (!entry) return null;
    const answered: PingResult["answered"] = [];
    const missing: string[] = [];
    for (const [node, at] of entry.nodes) {
      if (at === null) missing.push(node);
      else answered.push({ node_id: node, rtt_ms: at - entry.sentAt });
    }
    answered.sort((a, b) => a.rtt_ms - b.rtt_ms);
    return {
      id,
      sent_at: new Date(entry.sentAt).toISOString(),
      sent: entry.nodes.size,
      answered,
      missing,
    };
  }
}
