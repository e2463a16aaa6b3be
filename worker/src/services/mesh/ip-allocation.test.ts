import { describe, expect, it } from "vitest";
import { allocateMeshIp, parseCidr } from "./ip-allocation.ts";

describe("mesh IP allocation", () => {
  it("hands out the lowest free host address", () => {
    expect(allocateMeshIp("10.100.0.0/16", [])).toBe("10.100.0.1");
    expect(allocateMeshIp("10.100.0.0/16", ["10.100.0.1", "10.100.0.3"])).toBe("10.100.0.2");
    expect(allocateMeshIp("10.100.0.0/16", ["10.100.0.1", "10.100.0.2"])).toBe("10.100.0.3");
  });

  it("skips network and broadcast addresses and reports a full range", () => {
    expect(allocateMeshIp("192.168.7.0/30", [])).toBe("192.168.7.1");
    expect(allocateMeshIp("192.168.7.0/30", ["192.168.7.1"])).toBe("192.168.7.2");
    expect(allocateMeshIp("192.168.7.0/30", ["192.168.7.1", "192.168.7.2"])).toBeUndefined();
    expect(allocateMeshIp("10.0.0.0/24", ["10.0.0.255"])).toBe("10.0.0.1");
  });

  it("normalises the base and rejects what is not a usable IPv4 CIDR", () => {
    expect(parseCidr("10.100.5.7/16").base).toBe(parseCidr("10.100.0.0/16").base);
    expect(() => parseCidr("10.0.0.0/31")).toThrow(/prefix/);
    expect(() => parseCidr("fd00::/64")).toThrow(/IPv4/);
  });
});
