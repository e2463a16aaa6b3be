import { describe, expect, it } from "vitest";
import type { MeshRule } from "../wire/mesh.ts";
import { MemberIndex } from "./selectors.ts";
import { visiblePeers } from "./visibility.ts";

const A = { id: "a", groups: ["web"] };
const B = { id: "b", groups: ["db"] };
const C = { id: "c", groups: ["web", "ops"] };
const D = { id: "d", groups: [] as string[] };
const all = [A, B, C, D];

const rule = (src: string, dst: string, action: "allow" | "deny" = "allow"): MeshRule => ({
  src,
  dst,
  port: 0,
  protocol: "",
  action,
});
const ids = (local: typeof A, rules: MeshRule[]) =>
  visiblePeers(local, all, rules)
    .map((p) => p.id)
    .sort();

describe("visiblePeers (DESIGN.md §5, the plexd seed's FilterPeers)", () => {
  it("denies by default: no policies, no peers", () => {
    expect(ids(A, [])).toEqual([]);
  });

  it("makes an allow rule bidirectional", () => {
    expect(ids(A, [rule("a", "b")])).toEqual(["b"]);
    expect(ids(B, [rule("a", "b")])).toEqual(["a"]);
    expect(ids(C, [rule("a", "b")])).toEqual([]);
  });

  it("never grants visibility through deny rules", () => {
    expect(ids(A, [rule("a", "b", "deny"), rule("*", "*", "deny")])).toEqual([]);
  });

  it("lets * match any node, in either position, never the node itself", () => {
    expect(ids(A, [rule("*", "*")])).toEqual(["b", "c", "d"]);
    expect(ids(D, [rule("d", "*")])).toEqual(["a", "b", "c"]);
    expect(ids(B, [rule("d", "*")])).toEqual(["d"]);
  });

  it("resolves group selectors", () => {
    const rules = [rule("group:web", "group:db")];
    expect(ids(A, rules)).toEqual(["b"]);
    expect(ids(B, rules)).toEqual(["a", "c"]);
    expect(ids(D, rules)).toEqual([]);
    expect(ids(C, [rule("group:ops", "group:web")])).toEqual(["a"]);
  });

  it("names nobody with an unknown node id or an empty group", () => {
    expect(ids(A, [rule("a", "zzz"), rule("a", "group:nobody")])).toEqual([]);
  });

  it("stays fast with 10k peers and 10k rules", () => {
    const peers = Array.from({ length: 10_000 }, (_, i) => ({
      id: `n${i}`,
      groups: [`g${i % 100}`],
    }));
    const rules = Array.from({ length: 10_000 }, (_, i) =>
      rule(`group:g${i % 100}`, `n${(i * 7) % 10_000}`),
    );
    const index = new MemberIndex(peers);
    const started = performance.now();
    const seen = visiblePeers(peers[0]!, index, rules);
    expect(performance.now() - started).toBeLessThan(200);
    expect(seen.length).toBeGreaterThan(0);
  });
});
