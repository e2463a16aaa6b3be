import { describe, expect, it } from "vitest";
import { call } from "./test-helpers.ts";

describe("units", () => {
  it("parses exactly in decimal", () => {
    expect(call("units.parse", "500m")).toBe(0.5);
    expect(call("units.parse", "0.0000005M")).toBe(0.5);
    expect(call("units.parse", "1G")).toBe(1000000000);
    expect(call("units.parse", "128Gi")).toBe(137438953472);
    expect(call("units.parse", "8g")).toBe(8000000000);
    expect(call("units.parse", "-3.5E2m")).toBe(-0.35);
    expect(call("units.parse", "6e3Mi")).toBe(6291456000);
    expect(call("units.parse", "2KI")).toBe(2048);
    expect(call("units.parse", "1.23456789012345m")).toBe(0.0012345679);
  });
  it("parses bytes with SI, IEC and scientific amounts", () => {
    expect(call("units.parse_bytes", "1.1KiB")).toBe(1126);
    expect(call("units.parse_bytes", '"100TIB"')).toBe(109951162777600);
    expect(call("units.parse_bytes", "1e-2KB")).toBe(10);
    expect(call("units.parse_bytes", "4.5e1GiB")).toBe(48318382080);
    expect(call("units.parse_bytes", "10eib")).toBe(10n * 2n ** 60n);
    expect(call("units.parse_bytes", ".0")).toBe(0);
  });
  it("reports OPA's errors", () => {
    expect(() => call("units.parse", "G")).toThrow("units.parse: no amount provided");
    expect(() => call("units.parse", ".5.2")).toThrow("could not parse amount to a number");
    expect(() => call("units.parse", " 327Mi ")).toThrow("spaces not allowed in resource strings");
    expect(() => call("units.parse", "1MB")).toThrow("units.parse: unit Mb not recognized");
    expect(() => call("units.parse_bytes", "GB")).toThrow(
      "units.parse_bytes: no byte amount provided",
    );
    expect(() => call("units.parse_bytes", "1.2.3kb")).toThrow(
      "could not parse byte amount to a number",
    );
    expect(() => call("units.parse_bytes", "1zb")).toThrow("byte unit zb not recognized");
    expect(() => call("units.parse_bytes", "1e1234567kb")).toThrow("exponent too large");
  });
});

describe("bits, uuid, semver", () => {
  it("shifts and masks big integers", () => {
    expect(call("bits.lsh", 1, 64)).toBe(18446744073709551616n);
    expect(call("bits.negate", 0)).toBe(-1);
    expect(() => call("bits.and", 1.5, 1)).toThrow(
      "must be integer number but got floating-point number",
    );
    expect(() => call("bits.rsh", 1, -1)).toThrow("must be an unsigned integer number");
  });
  it("parses time-based UUIDs", () => {
    const r = call("uuid.parse", "urn:uuid:000003e8-48b9-21ee-b200-325096b39f47") as never;
    expect(Object.fromEntries((r as { entries(): Iterable<[string, unknown]> }).entries())).toEqual(
      {
        clocksequence: 12800,
        domain: "Person",
        id: 1000,
        macvariables: "local:unicast",
        nodeid: "32-50-96-b3-9f-47",
        time: 1693566990121469600n,
        variant: "RFC4122",
        version: 2,
      },
    );
    expect(call("uuid.parse", 123)).toBeUndefined();
  });
  it("orders versions by SemVer precedence", () => {
    expect(call("semver.compare", "1.0.0-alpha", "1.0.0")).toBe(-1);
    expect(call("semver.compare", "1.0.0-alpha.10", "1.0.0-alpha.9")).toBe(1);
    expect(call("semver.compare", "1.0.0+b1", "1.0.0+b2")).toBe(0);
    expect(() => call("semver.compare", "1", "1.0.0")).toThrow(
      'operand 1: string "1" is not a valid SemVer',
    );
    expect(call("semver.is_valid", 1)).toBe(false);
    expect(call("semver.is_valid", "v1.0.0")).toBe(false);
    expect(call("semver.is_valid", "1.0.0-rc.1+build.5")).toBe(true);
  });
});
