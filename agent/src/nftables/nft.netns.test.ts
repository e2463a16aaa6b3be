import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExecRunner } from "../sys/exec-runner.ts";
import { runChecked } from "../sys/runner.ts";
import { sampleInput } from "./fixtures/sample.ts";
import { applyRuleset, readRuleset } from "./nft.ts";
import { compileRuleset } from "./render.ts";
import { rulesetDrift } from "./shape.ts";

const isRoot = process.getuid?.() === 0;
const hasNft = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].some((p) => existsSync(p));
const skip = !isRoot || !hasNft;
if (skip) {
  console.warn(
    `skipping nftables namespace tests: ${isRoot ? "nft is not installed (apt-get install nftables)" : "not root"}`,
  );
}

describe.skipIf(skip)("nftables in a network namespace (root)", () => {
  const ns = `tether-nft-${process.pid}`;
  const host = createExecRunner();
  const inside = createExecRunner({ netns: ns });

  beforeAll(async () => {
    await runChecked(host, "ip", ["netns", "add", ns]);
  });
  afterAll(async () => {
    await host.run("ip", ["netns", "delete", ns]);
  });

  it("applies the rendered ruleset in one transaction and reads back its shape and hash", async () => {
    expect((await readRuleset(inside)).exists).toBe(false);
    const compiled = compileRuleset(sampleInput());
    await applyRuleset(inside, compiled.text);
    const actual = await readRuleset(inside);
    expect(actual.hash).toBe(compiled.hash);
    expect(rulesetDrift(compiled.shape, actual)).toEqual([]);
    await applyRuleset(inside, compiled.text); // idempotent: works when the table exists
    expect(rulesetDrift(compiled.shape, await readRuleset(inside))).toEqual([]);
  });

  it("sees a set element deleted by hand", async () => {
    const compiled = compileRuleset(sampleInput());
    await runChecked(inside, "nft", [
      "delete",
      "element",
      "inet",
      "tether",
      "g0_4",
      "{ 10.100.0.1 }",
    ]);
    expect(rulesetDrift(compiled.shape, await readRuleset(inside))).toEqual([
      "set g0_4: 1 elements, want 2 (missing 10.100.0.1)",
    ]);
    await applyRuleset(inside, compiled.text);
    expect(rulesetDrift(compiled.shape, await readRuleset(inside))).toEqual([]);
  });

  it("keeps the previous ruleset when an apply fails", async () => {
    const good = compileRuleset(sampleInput());
    const audit = compileRuleset(sampleInput("audit"));
    const broken = audit.text.replace("counter log", "counter frobnicate log");
    const bad = audit.text.replace(
      'comment "default-deny"',
      'comment "default-deny"\n\t\tjump nowhere',
    );
    for (const text of [broken, bad]) {
      await expect(applyRuleset(inside, text)).rejects.toThrow(/nft -f - exited 1/);
      expect((await readRuleset(inside)).hash).toBe(good.hash);
    }
  });

  it("accepts merged port sets and reads them back in sync", async () => {
    const base = sampleInput();
    const extra = [22, "8000-8100", 443, "8050-8200"].map((port, i) => ({
      ...base.rules[0]!,
      port,
      protocol: "tcp" as const,
      origin: `m#${i}`,
    }));
    const compiled = compileRuleset({ ...base, rules: [...extra, ...base.rules] });
    expect(compiled.text).toContain(
      'tcp dport { 22, 443, 5432, 8000-8200 } counter accept comment "m#0 +4"',
    );
    await applyRuleset(inside, compiled.text);
    expect(rulesetDrift(compiled.shape, await readRuleset(inside))).toEqual([]);
  });

  it("removes the table in mode off", async () => {
    const off = compileRuleset(sampleInput("off"));
    await applyRuleset(inside, off.text);
    await applyRuleset(inside, off.text);
    expect(rulesetDrift(off.shape, await readRuleset(inside))).toEqual([]);
  });
});
