import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sampleInput } from "./fixtures/sample.ts";
import { isMissingTable, NftJsonError, parseNftJson } from "./parse.ts";
import { compileRuleset } from "./render.ts";
import { ABSENT, rulesetDrift } from "./shape.ts";

/** Captured from nft 1.0.6 in a network namespace by `fixtures/capture.ts`. */
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8");

describe("parseNftJson on JSON captured from real nft", () => {
  it("reads back exactly the shape the renderer expects (enforce and audit)", () => {
    for (const mode of ["enforce", "audit"] as const) {
      const expected = compileRuleset(sampleInput(mode)).shape;
      const actual = parseNftJson(fixture(mode));
      expect(actual).toEqual(expected);
      expect(rulesetDrift(expected, actual)).toEqual([]);
    }
  });

  it("finds the embedded hash", () => {
    expect(parseNftJson(fixture("enforce")).hash).toBe(compileRuleset(sampleInput()).hash);
  });

  it("sees drift made by hand: a deleted rule, a deleted set element, a foreign rule", () => {
    const expected = compileRuleset(sampleInput()).shape;
    expect(rulesetDrift(expected, parseNftJson(fixture("drifted")))).toEqual([
      "chain mesh: 10 rules, want 11",
      "chain input: 2 rules, want 1",
      "set g0_4: 1 elements, want 2 (missing 10.100.0.3)",
    ]);
  });

  it("sees a ruleset rendered for another revision or mode", () => {
    const drift = rulesetDrift(
      compileRuleset(sampleInput("audit")).shape,
      parseNftJson(fixture("enforce")),
    );
    expect(drift[0]).toMatch(/^hash [0-9a-f]{64}, want [0-9a-f]{64}$/);
  });
});

describe("parseNftJson", () => {
  it("reads a listing without our table as absent", () => {
    expect(parseNftJson({ nftables: [{ metainfo: { version: "1.0.6" } }] })).toEqual(ABSENT);
    expect(parseNftJson({ nftables: [{ table: { family: "ip", name: "tether" } }] }).exists).toBe(
      false,
    );
  });

  it("normalizes prefix, range and annotated elements", () => {
    const shape = parseNftJson({
      nftables: [
        { table: { family: "inet", name: "tether" } },
        {
          set: {
            family: "inet",
            table: "tether",
            name: "s",
            elem: [
              { prefix: { addr: "10.1.0.0", len: 24 } },
              { range: ["10.0.0.1", "10.0.0.9"] },
              { elem: { val: "10.0.0.20", counter: { packets: 1, bytes: 2 } } },
            ],
          },
        },
        { rule: { family: "inet", table: "tether", chain: "x" } },
      ],
    });
    expect(shape.sets).toEqual({ s: ["10.0.0.1-10.0.0.9", "10.0.0.20", "10.1.0.0/24"] });
    expect(shape.chains).toEqual({ x: { hook: null, rules: [""] } });
    expect(shape.hash).toBeNull();
  });

  it("rejects what is not nft JSON", () => {
    expect(() => parseNftJson("{")).toThrow(NftJsonError);
    expect(() => parseNftJson({})).toThrow('nftables: nft JSON without an "nftables" array');
  });

  it("knows nft's missing-table error", () => {
    expect(isMissingTable("Error: No such file or directory\nlist table inet tether\n")).toBe(true);
    expect(isMissingTable("Error: syntax error")).toBe(false);
  });
});

describe("rulesetDrift", () => {
  const shape = compileRuleset(sampleInput()).shape;
  it("wants no table in mode off", () => {
    expect(rulesetDrift(ABSENT, ABSENT)).toEqual([]);
    expect(rulesetDrift(ABSENT, shape)).toEqual(["table present, want none"]);
    expect(rulesetDrift(shape, ABSENT)).toEqual(["table missing"]);
  });
  it("reports missing and foreign chains and sets, and changed hooks", () => {
    const { g0_6: _, ...sets } = shape.sets;
    const actual = {
      ...shape,
      sets: { ...sets, extra: [] },
      chains: { ...shape.chains, input: { hook: "filter input 0 drop", rules: ["input"] } },
    };
    expect(rulesetDrift(shape, actual)).toEqual([
      "chain input: hook filter input 0 drop, want filter input 0 accept",
      "set g0_6 missing",
      "set extra not ours",
    ]);
  });
});
