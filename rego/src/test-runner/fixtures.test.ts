import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runTests } from "./run-tests.ts";

/** Gatekeeper-style v0 suites and a v1 suite, run as `opa test` would. */
const dir = fileURLToPath(new URL("./fixtures", import.meta.url));
const load = (sub: string) =>
  readdirSync(join(dir, sub)).map((f) => ({
    file: f,
    source: readFileSync(join(dir, sub, f), "utf8"),
  }));

describe("policy suites", () => {
  it.each([
    ["v0", true],
    ["v1", false],
  ])("%s suite passes", (sub, v0) => {
    const results = runTests(load(sub), { v0 });
    const bad = results
      .filter((r) => !r.passed)
      .map((r) => `${r.name}: ${r.error?.message ?? "fail"}`);
    expect(bad).toEqual([]);
    expect(results.length).toBeGreaterThan(5);
  });
});
