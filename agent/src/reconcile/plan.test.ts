import { describe, expect, it } from "vitest";
import { ABSENT } from "../nftables/shape.ts";
import type { ActualNode } from "./actual.ts";
import { derive } from "./desired.ts";
import { describeStep, plan } from "./plan.ts";
import { KEYS, rule, sampleDesired } from "./sample-state.ts";

const empty: ActualNode = { link: null, wg: null, ruleset: ABSENT, unreadable: [], errors: [] };
const rules = [rule("b", "a", { port: 5432, protocol: "tcp" }), rule("a", "group:web")];

/** The actual state a fully applied `desired` leaves behind. */
function inSync(desired = sampleDesired(rules)): ActualNode {
  const d = derive(desired);
  return {
    link: { up: true, addresses: ["10.100.0.1/16"] },
    wg: {
      iface: { publicKey: KEYS.a, listenPort: 51820 },
      peers: d.peers.map((p) => ({ ...p, allowedIps: [...p.allowedIps], latestHandshake: 0 })),
    },
    ruleset: d.ruleset.shape,
    unreadable: [],
    errors: [],
  };
}
const kinds = (steps: { kind: string }[]) => steps.map((s) => s.kind);

describe("plan", () => {
  it("plans nothing for an in-sync machine", () => {
    expect(plan(sampleDesired(rules), inSync())).toEqual([]);
  });

  it("builds everything on a bare machine: table first, then the interface, then peers", () => {
    const steps = plan(sampleDesired(rules), empty);
    expect(steps.map(describeStep)).toEqual([
      expect.stringMatching(/^apply ruleset [0-9a-f]{12} \(table missing\)$/),
      "create tether0",
      "set tether0 private key from /var/lib/tether/private.key",
      "set tether0 listen port 51820",
      "add 10.100.0.1/16 to tether0",
      "set tether0 up",
      `set peer ${KEYS.b} (add)`,
      `set peer ${KEYS.c} (add)`,
    ]);
    expect(steps.find((s) => s.kind === "setPeer")?.needs).toEqual(["link", "ruleset"]);
    expect(steps.find((s) => s.kind === "setLinkUp")?.needs).toEqual(["link"]);
  });

  it("cuts access before removing a peer and removes before adding", () => {
    const before = inSync();
    const steps = plan(sampleDesired([rule("d", "a")]), before);
    expect(kinds(steps)).toEqual(["applyRuleset", "removePeer", "removePeer", "setPeer"]);
    expect(steps[1]?.needs).toEqual([]); // a removal never waits for anything
    expect(steps[3]?.needs).toEqual(["ruleset"]);
  });

  it("repairs drift made by hand: a deleted rule, a removed peer, an interface down", () => {
    const actual = inSync();
    const mesh = actual.ruleset.chains.mesh!;
    actual.ruleset = {
      ...actual.ruleset,
      chains: { ...actual.ruleset.chains, mesh: { ...mesh, rules: mesh.rules.slice(0, 2) } },
    };
    actual.wg!.peers = actual.wg!.peers.slice(1);
    actual.link!.up = false;
    const steps = plan(sampleDesired(rules), actual);
    expect(kinds(steps)).toEqual(["applyRuleset", "setLinkUp", "setPeer"]);
    expect(steps[0]).toMatchObject({
      reasons: [`chain mesh: 2 rules, want ${mesh.rules.length}`],
    });
  });

  it("fixes the key, port and addresses of an existing interface", () => {
    const actual = inSync();
    actual.wg!.iface = { publicKey: KEYS.d, listenPort: 1 };
    actual.link!.addresses = ["10.99.0.1/16"];
    expect(plan(sampleDesired(rules), actual).map(describeStep)).toEqual([
      "set tether0 private key from /var/lib/tether/private.key",
      "set tether0 listen port 51820",
      "remove 10.99.0.1/16 from tether0",
      "add 10.100.0.1/16 to tether0",
    ]);
  });

  it("leaves a port WireGuard picked alone when the desired port is 0", () => {
    expect(plan(sampleDesired(rules, { listenPort: 0 }), inSync())).toEqual([]);
  });

  it("changes only the table when the mode changes", () => {
    const steps = plan(sampleDesired(rules, { mode: "audit" }), inSync());
    expect(kinds(steps)).toEqual(["applyRuleset"]);
    expect(steps[0]).toMatchObject({ text: expect.stringContaining("tether-audit") });
  });

  it("removes the table and configures every peer in mode off (the seed's disabled Enforcer)", () => {
    const steps = plan(sampleDesired(rules, { mode: "off" }), inSync());
    expect(steps.map(describeStep)).toEqual([
      expect.stringMatching(/\(table present, want none\)$/),
      `set peer ${KEYS.d} (add)`,
    ]);
    expect(
      plan(sampleDesired(rules, { mode: "off" }), { ...inSync(), ruleset: ABSENT }).length,
    ).toBe(1);
  });

  it("never configures the node as its own peer, even in mode off", () => {
    const desired = sampleDesired(rules, { mode: "off" });
    desired.state.peers.push({ ...desired.state.peers[0]!, id: "a", public_key: KEYS.a });
    expect(derive(desired).peers.map((p) => p.publicKey)).not.toContain(KEYS.a);
  });

  it("rewrites an unreadable table and leaves an unreadable interface alone", () => {
    const actual: ActualNode = { ...inSync(), unreadable: ["ruleset"] };
    expect(plan(sampleDesired(rules), actual)[0]).toMatchObject({
      kind: "applyRuleset",
      reasons: ["table unreadable"],
    });
    expect(
      plan(sampleDesired(rules), { ...empty, unreadable: ["link", "wg"] }).map((s) => s.kind),
    ).toEqual(["applyRuleset"]);
  });

  it("leaves out malformed peers and reports them", () => {
    const desired = sampleDesired(rules);
    desired.state.peers[1]!.public_key = "nope";
    const derived = derive(desired);
    expect(derived.problems).toEqual(["wireguard: peer c: invalid public key"]);
    expect(derived.peers.map((p) => p.publicKey)).toEqual([KEYS.b]);
  });

  it("never configures or filters for a peer the policy does not make visible", () => {
    const derived = derive(sampleDesired([rule("b", "c")]));
    expect(derived.peers).toEqual([]);
    expect(derived.ruleset.text).not.toContain("10.100.0.2");
  });
});
