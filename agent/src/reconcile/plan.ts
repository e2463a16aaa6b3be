import { rulesetDrift } from "../nftables/shape.ts";
import { type DesiredPeer, planPeers } from "../wireguard/peers.ts";
import type { ActualNode } from "./actual.ts";
import { type DesiredNode, type Derived, derive } from "./desired.ts";

/** What a step must wait for: a step whose dependency failed is skipped, not run. */
export type Dependency = "ruleset" | "link";

/** One change to the machine; each kind has one executor (`executors.ts`). */
export type Step = { needs: Dependency[] } & (
  | { kind: "applyRuleset"; text: string; hash: string; reasons: string[] }
  | { kind: "createLink"; iface: string }
  | { kind: "setPrivateKey"; iface: string; path: string }
  | { kind: "setListenPort"; iface: string; port: number }
  | { kind: "removeAddress"; iface: string; cidr: string }
  | { kind: "addAddress"; iface: string; cidr: string }
  | { kind: "setLinkUp"; iface: string }
  | { kind: "removePeer"; iface: string; publicKey: string }
  | { kind: "setPeer"; iface: string; peer: DesiredPeer; changes: string[] }
);

export type StepKind = Step["kind"];

/**
 * The steps that turn `actual` into `desired` (balena-supervisor style:
 * pure, plain data in and out; an in-sync machine yields `[]`, so a
 * no-op reconcile writes nothing).
 *
 * Order, and why:
 * 1. The nft table first. It filters by interface name, so it can exist
 *    before the interface does; applying it before any WireGuard change
 *    means access that shrinks is cut before peers change (fail closed),
 *    and access that grows is only opened once the peers arrive.
 * 2. The interface: created (kernel or wireguard-go), key, listen port,
 *    stale addresses removed before the new one is added, then up. Steps
 *    after `createLink` need it.
 * 3. Peers: removals first (a revoked peer goes before anything is
 *    added; a changed key is a removal plus an addition; an address moving
 *    between peers leaves the old one first), then updates, then
 *    additions. Updates and additions need the ruleset step when there is
 *    one: a peer is never configured under a firewall that has not caught
 *    up with the policy that made it visible. Removals need nothing.
 *
 * A part of `actual` that could not be read is not planned from guesses:
 * an unreadable table is rewritten (the apply is idempotent), an
 * unreadable interface leaves WireGuard alone this pass.
 */
export function plan(
  desired: DesiredNode,
  actual: ActualNode,
  derived: Derived = derive(desired),
): Step[] {
  const steps: Step[] = [];
  const { iface } = desired;

  const unreadable = new Set(actual.unreadable);
  const drift = unreadable.has("ruleset")
    ? ["table unreadable"]
    : rulesetDrift(derived.ruleset.shape, actual.ruleset);
  if (drift.length > 0) {
    steps.push({
      kind: "applyRuleset",
      text: derived.ruleset.text,
      hash: derived.ruleset.hash,
      reasons: drift,
      needs: [],
    });
  }
  if (unreadable.has("link") || unreadable.has("wg")) return steps;

  const link: Dependency[] = [];
  if (actual.link === null) {
    steps.push({ kind: "createLink", iface, needs: [] });
    link.push("link");
  }
  const wgIface = actual.wg?.iface;
  if (
    !wgIface?.publicKey ||
    (desired.publicKey !== undefined && wgIface.publicKey !== desired.publicKey)
  ) {
    steps.push({ kind: "setPrivateKey", iface, path: desired.privateKeyPath, needs: link });
  }
  // 0 lets WireGuard pick a port; comparing it with the picked one would write on every pass.
  if (desired.listenPort !== 0 && wgIface?.listenPort !== desired.listenPort) {
    steps.push({ kind: "setListenPort", iface, port: desired.listenPort, needs: link });
  }
  const have = actual.link?.addresses ?? [];
  for (const cidr of have) {
    if (cidr !== derived.address) steps.push({ kind: "removeAddress", iface, cidr, needs: link });
  }
  if (derived.address !== null && !have.includes(derived.address)) {
    steps.push({ kind: "addAddress", iface, cidr: derived.address, needs: link });
  }
  if (!actual.link?.up) steps.push({ kind: "setLinkUp", iface, needs: link });

  const firewall: Dependency[] = steps[0]?.kind === "applyRuleset" ? ["ruleset"] : [];
  for (const op of planPeers(derived.peers, actual.wg?.peers ?? [])) {
    if (op.kind === "remove")
      steps.push({ kind: "removePeer", iface, publicKey: op.publicKey, needs: link });
    else {
      const changes = op.kind === "add" ? ["add"] : op.changes;
      steps.push({ kind: "setPeer", iface, peer: op.peer, changes, needs: [...link, ...firewall] });
    }
  }
  return steps;
}

/** One line per step, for logs and status (never a key: steps hold only public data and paths). */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case "applyRuleset":
      return `apply ruleset ${step.hash.slice(0, 12)} (${step.reasons.join("; ")})`;
    case "createLink":
      return `create ${step.iface}`;
    case "setPrivateKey":
      return `set ${step.iface} private key from ${step.path}`;
    case "setListenPort":
      return `set ${step.iface} listen port ${step.port}`;
    case "removeAddress":
      return `remove ${step.cidr} from ${step.iface}`;
    case "addAddress":
      return `add ${step.cidr} to ${step.iface}`;
    case "setLinkUp":
      return `set ${step.iface} up`;
    case "removePeer":
      return `remove peer ${step.publicKey}`;
    case "setPeer":
      return `set peer ${step.peer.publicKey} (${step.changes.join(", ")})`;
  }
}
