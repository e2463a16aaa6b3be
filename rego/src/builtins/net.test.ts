import { describe, expect, it } from "vitest";
import { RObject, type RSet } from "../value.ts";
import { formatIp, parseIp } from "./net-ip.ts";
import { call } from "./test-helpers.ts";

const sorted = (v: unknown) => (v as RSet).sorted();

describe("net", () => {
  it("parses and prints addresses as Go does", () => {
    expect(formatIp(parseIp("2001:0db8:0:0:0:0:0:1")!)).toBe("2001:db8::1");
    expect(formatIp(parseIp("::192.0.2.0")!)).toBe("::c000:200");
    expect(formatIp(parseIp("::ffff:1.2.3.4")!)).toBe("1.2.3.4");
    expect(formatIp(parseIp("1:0:0:1:0:0:0:1")!)).toBe("1:0:0:1::1");
    expect(parseIp("010.0.0.1")).toBeUndefined();
    expect(parseIp("1::2::3")).toBeUndefined();
  });
  it("checks containment and intersection for IPv4 and IPv6", () => {
    expect(call("net.cidr_contains", "10.0.0.0/8", "10.1.2.3")).toBe(true);
    expect(call("net.cidr_contains", "172.17.0.0/24", "172.17.0.0/16")).toBe(false);
    expect(call("net.cidr_contains", "2001:4860::/32", "2001:4860:4860:1234::8888/40")).toBe(true);
    expect(call("net.cidr_contains", "10.0.0.0/8", "::1")).toBe(false);
    // IPv4 block edges, including the top of the address space
    expect(call("net.cidr_contains", "10.0.0.0/8", "10.255.255.255")).toBe(true);
    expect(call("net.cidr_contains", "10.0.0.0/8", "11.0.0.0")).toBe(false);
    expect(call("net.cidr_contains", "10.0.0.0/8", "9.255.255.255")).toBe(false);
    expect(call("net.cidr_contains", "0.0.0.0/0", "255.255.255.255")).toBe(true);
    expect(call("net.cidr_contains", "255.255.255.0/24", "255.255.255.128/25")).toBe(true);
    expect(call("net.cidr_contains", "255.255.255.128/25", "255.255.255.0/24")).toBe(false);
    expect(call("net.cidr_intersects", "fd1e:5bfe:8af3:9ddc::/64", "2001:4860:4860::8888/32")).toBe(
      false,
    );
    expect(() => call("net.cidr_contains", "not-a-cidr", "1.2.3.4")).toThrow();
    expect(call("net.cidr_is_valid", "192.168.1.2")).toBe(false);
  });
  it("expands and merges blocks", () => {
    expect(sorted(call("net.cidr_expand", "192.168.1.1/30"))).toEqual([
      "192.168.1.0",
      "192.168.1.1",
      "192.168.1.2",
      "192.168.1.3",
    ]);
    expect(() => call("net.cidr_expand", "192.168.1.1/33")).toThrow(
      "invalid CIDR address: 192.168.1.1/33",
    );
    expect(
      sorted(call("net.cidr_merge", ["192.0.2.112/31", "192.0.2.116/31", "192.0.2.118/31"])),
    ).toEqual(["192.0.2.112/31", "192.0.2.116/30"]);
    expect(sorted(call("net.cidr_merge", ["192.0.128.0", "192.0.129.0"]))).toEqual([
      "192.0.128.0/23",
    ]);
    expect(sorted(call("net.cidr_merge", ["::/0", "fe80::1/128"]))).toEqual(["::/0"]);
    expect(() => call("net.cidr_merge", ["2601:600::1"])).toThrow(
      "IPv6 invalid: needs prefix length",
    );
  });
  it("reports contains matches by key", () => {
    const cidrs = RObject.fromRecord({ k1: "1.1.1.1/24", k2: ["1.1.1.2/24", 1] });
    expect(sorted(call("net.cidr_contains_matches", cidrs, "1.1.1.128"))).toEqual([
      ["k1", "1.1.1.128"],
      ["k2", "1.1.1.128"],
    ]);
    expect(() => call("net.cidr_contains_matches", ["1.1.1.0/24"], [[]])).toThrow(
      "operand 2: element must be string or non-empty array",
    );
  });
});
