import { applyRuleset } from "../nftables/nft.ts";
import type { Runner } from "../sys/runner.ts";
import {
  addAddress,
  removeAddress,
  removePeer,
  setLinkUp,
  setListenPort,
  setPeer,
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
