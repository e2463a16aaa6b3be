import { describe, expect, it } from "vitest";
import { applyDefaults, DEFAULT_TABLE_NAME, validateConfig } from "./config.ts";

describe("Config (the seed's policy.Config)", () => {
  it("turns enforcement on and names the table tether on a zero-valued config", () => {
    expect(applyDefaults({})).toEqual({ enabled: true, chainName: "tether" });
    expect(applyDefaults()).toEqual({ enabled: true, chainName: DEFAULT_TABLE_NAME });
  });

  it("keeps an explicit enabled: false (the seed's documented way to disable)", () => {
    expect(applyDefaults({ enabled: false })).toEqual({ enabled: false, chainName: "tether" });
    expect(applyDefaults({ enabled: false, chainName: "x" })).toEqual({
      enabled: false,
      chainName: "x",
    });
  });

  it("does not silently disable a config that only names the chain (the seed's Go heuristic did)", () => {
    expect(applyDefaults({ chainName: "mesh" })).toEqual({ enabled: true, chainName: "mesh" });
  });

  it("fills an empty name", () => {
    expect(applyDefaults({ chainName: "" }).chainName).toBe("tether");
  });

  it("validates with the seed's text", () => {
    expect(validateConfig({ enabled: true, chainName: "" })?.message).toBe(
      "policy: config: ChainName must not be empty when enabled",
    );
    expect(validateConfig({ enabled: true })?.field).toBe("chainName");
    expect(validateConfig({ enabled: true, chainName: "tether" })).toBeNull();
  });

  it("skips validation entirely when disabled", () => {
    expect(validateConfig({ enabled: false, chainName: "" })).toBeNull();
    expect(validateConfig({ enabled: false, chainName: "bad name" })).toBeNull();
  });

  it("rejects names that could not be rendered into an nft script", () => {
    expect(validateConfig({ enabled: true, chainName: 'x"; flush ruleset' })?.message).toBe(
      'policy: config: ChainName "x\\"; flush ruleset" must be a letter followed by up to 31 letters, digits or _',
    );
  });
});
