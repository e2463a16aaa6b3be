import { describe, expect, it } from "vitest";
import {
  type PolicyRowBase,
  type PolicySettings,
  policyUpdatedEvent,
  sameSettings,
} from "./policy-kind.ts";

const settings: PolicySettings = {
  name: "authz",
  status: "active",
  mode: "enforce",
  targetApps: ["web", "api"],
  targetNodes: ["n1", "n2"],
};

const row = (over: Partial<PolicyRowBase> = {}): PolicyRowBase => ({
  ...settings,
  id: "p1",
  orgId: "o1",
  version: 1,
  revision: 7,
  updatedAt: new Date(0),
  ...over,
});

describe("sameSettings", () => {
  it("holds for the same settings with the targets in another order", () => {
    expect(
      sameSettings(settings, {
        ...settings,
        targetApps: ["api", "web"],
        targetNodes: ["n2", "n1"],
      }),
    ).toBe(true);
  });

  it.each([
    ["name", { name: "other" }],
    ["status", { status: "draft" as const }],
    ["mode", { mode: "audit" as const }],
    ["a target app more", { targetApps: ["web", "api", "cli"] }],
    ["a target node fewer", { targetNodes: ["n1"] }],
  ])("fails on another %s", (_, change) => {
    expect(sameSettings(settings, { ...settings, ...change })).toBe(false);
  });

  it("compares targets element by element (joined with a newline these two would be equal)", () => {
    const a = { ...settings, targetApps: ["a\nb", "c"] };
    expect(sameSettings(a, { ...settings, targetApps: ["a", "b\nc"] })).toBe(false);
  });
});

describe("policyUpdatedEvent", () => {
  const wire = (r: PolicyRowBase | null) =>
    r
      ? {
          kind: "rego" as const,
          id: r.id,
          name: r.name,
          package_path: "p",
          source: "s",
          version: r.version,
          revision: r.revision,
          mode: r.mode,
          target_nodes: r.targetNodes,
        }
      : null;

  it("goes to the nodes either version targets, with the new version as agents get it", () => {
    const event = policyUpdatedEvent("p1", row(), row({ targetNodes: ["n2", "n3"] }), wire);
    expect(event.type).toBe("rego_policy_updated");
    expect(event.nodeIds).toEqual(["n1", "n2", "n3"]);
    expect(event.payload).toEqual({
      policy_id: "p1",
      policy: expect.objectContaining({ kind: "rego", target_nodes: ["n2", "n3"] }),
    });
  });

  it("goes to every node when either version is untargeted, and says null on a delete", () => {
    expect(policyUpdatedEvent("p1", row({ targetNodes: [] }), row(), wire).nodeIds).toBeNull();
    const deleted = policyUpdatedEvent("p1", row(), null, wire);
    expect(deleted.nodeIds).toEqual(["n1", "n2"]);
    expect(deleted.payload).toEqual({ policy_id: "p1", policy: null });
  });
});
