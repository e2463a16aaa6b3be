import { describe, expect, it } from "vitest";
import { MeshPolicyInput, meshRuleProblems, parsePort } from "./mesh.ts";

const ok = { src: "*", dst: "group:web", port: 443, protocol: "tcp", action: "allow" };
const first = (rule: Record<string, unknown>) =>
  meshRuleProblems({ ...ok, ...rule }).map((p) => p.message);

describe("mesh rule validation (the seed's error texts)", () => {
  it("accepts valid rules, including ranges and any-port", () => {
    expect(meshRuleProblems(ok)).toEqual([]);
    expect(meshRuleProblems({ ...ok, port: 0, protocol: "" })).toEqual([]);
    expect(meshRuleProblems({ ...ok, port: "8000-8100", protocol: "udp" })).toEqual([]);
  });

  it("names an invalid action", () => {
    expect(first({ action: "permit" })).toEqual(['policy: firewall rule: invalid action "permit"']);
  });

  it("names an invalid port", () => {
    expect(first({ port: 70000 })).toEqual(["policy: firewall rule: invalid port 70000"]);
    expect(first({ port: -1 })).toEqual(["policy: firewall rule: invalid port -1"]);
    expect(first({ port: "90-80" })).toEqual(['policy: firewall rule: invalid port "90-80"']);
  });

  it("names an invalid protocol", () => {
    expect(first({ protocol: "icmp" })).toEqual(['policy: firewall rule: invalid protocol "icmp"']);
  });

  it("requires a protocol for a port", () => {
    expect(first({ port: 22, protocol: "" })).toEqual([
      "policy: firewall rule: port 22 requires a protocol",
    ]);
  });

  it("rejects selectors that are not node ids, group:<name> or *", () => {
    expect(first({ src: "10.0.0.1" })[0]).toMatch(/^policy: firewall rule: invalid src "10.0.0.1"/);
    expect(first({ dst: "group:" })[0]).toMatch(/invalid dst/);
  });

  it("parses ports to ranges", () => {
    expect(parsePort(0)).toBeNull();
    expect(parsePort(22)).toEqual({ from: 22, to: 22 });
    expect(parsePort("1-65535")).toEqual({ from: 1, to: 65535 });
    expect(parsePort("0-10")).toBeUndefined();
    expect(parsePort(1.5)).toBeUndefined();
  });

  it("reports each problem at rules[i].field through the zod schema", () => {
    const parsed = MeshPolicyInput.safeParse({
      name: "p",
      rules: [ok, { ...ok, action: "x", port: 99999 }],
    });
    expect(parsed.success).toBe(false);
    const issues = parsed.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(issues).toEqual([
      'rules.1.action: policy: firewall rule: invalid action "x"',
      "rules.1.port: policy: firewall rule: invalid port 99999",
    ]);
  });
});
