import { applyRuleset } from "../nftables/nft.ts";
import { type Runner, runChecked } from "../sys/runner.ts";
import {
  addAddress,
  removeAddress,
  removePeer,
  removePeerArgs,
  setLinkUp,
  setListenPort,
  setPeer,
  setPeerArgs,
  setPrivateKeyFile,
} from "../wireguard/commands.ts";
import { createWireGuardLink } from "../wireguard/link.ts";
import type { Step, StepKind } from "./plan.ts";

export type Executors = {
  [K in StepKind]: (runner: Runner, step: Extract<Step, { kind: K }>) => Promise<void>;
};

/** Step kind → the commands that carry it out (the only place steps meet the Runner). */
export const executors: Executors = {
  applyRuleset: (r, s) => applyRuleset(r, s.text),
  createLink: async (r, s) => {
    await createWireGuardLink(r, s.iface);
  },
  setPrivateKey: (r, s) => setPrivateKeyFile(r, s.iface, s.path),
  setListenPort: (r, s) => setListenPort(r, s.iface, s.port),
  removeAddress: (r, s) => removeAddress(r, s.iface, s.cidr),
  addAddress: (r, s) => addAddress(r, s.iface, s.cidr),
  setLinkUp: (r, s) => setLinkUp(r, s.iface),
  removePeer: (r, s) => removePeer(r, s.iface, s.publicKey),
  setPeer: (r, s) => setPeer(r, s.iface, s.peer),
};

/** Runs one step with the executor of its kind. */
export function execute(runner: Runner, step: Step, table: Executors = executors): Promise<void> {
  const run = table[step.kind] as (runner: Runner, step: Step) => Promise<void>;
  return run(runner, step);
}

export type PeerStep = Extract<Step, { kind: "removePeer" | "setPeer" }>;

/** Peers per `wg set` call: one process for many peers, argv well under the kernel's limits. */
export const PEER_BATCH = 256;

/**
 * Runs peer steps of one interface as one `wg set <if> peer … peer …` call
 * (10k peers would otherwise be 10k processes). The caller retries a
 * failed batch step by step to learn which peer failed.
 */
export async function executePeerBatch(runner: Runner, steps: readonly PeerStep[]): Promise<void> {
  const iface = steps[0]?.iface;
  if (iface === undefined) return;
  const args = ["set", iface];
  for (const s of steps) {
    const one =
      s.kind === "removePeer" ? removePeerArgs(iface, s.publicKey) : setPeerArgs(iface, s.peer);
    args.push(...one.slice(2));
  }
  await runChecked(runner, "wg", args);
}
