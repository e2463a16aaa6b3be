import { describe, expect, it } from "vitest";
import { Enforcer } from "../policy/enforcer.ts";
import { PolicyEngine, peersById } from "../policy/engine.ts";
import type { RunOptions, RunResult, Runner } from "../sys/runner.ts";
import { sampleLocal, samplePeers, samplePolicies } from "./fixtures/sample.ts";
import { applyRuleset, NftFirewall, readRuleset } from "./nft.ts";

function fakeRunner(
  answer: (file: string, args: readonly string[]) => Partial<RunResult> = () => ({}),
) {
  const calls: { file: string; args: readonly string[]; stdin?: string | undefined }[] = [];
  const runner: Runner = {
    run(file: string, args: readonly string[], options?: RunOptions) {
      calls.push({ file, args, stdin: options?.stdin });
      return Promise.resolve({ code: 0, stdout: "", stderr: "", ...answer(file, args) });
    },
  };
  return { runner, calls };
}

describe("nft adaptor", () => {
  it("applies scripts on stdin, never in argv", async () => {
    const { runner, calls } = fakeRunner();
    await applyRuleset(runner, "table inet tether\n");
    expect(calls).toEqual([{ file: "nft", args: ["-f", "-"], stdin: "table inet tether\n" }]);
  });

  it("reads a missing table as absent and reports other failures", async () => {
    const missing = fakeRunner(() => ({ code: 1, stderr: "Error: No such file or directory" }));
    expect((await readRuleset(missing.runner)).exists).toBe(false);
    expect(missing.calls[0]?.args).toEqual(["-j", "list", "table", "inet", "tether"]);
    const broken = fakeRunner(() => ({ code: 1, stderr: "Error: Operation not permitted" }));
    await expect(readRuleset(broken.runner)).rejects.toThrow(
      /exited 1: Error: Operation not permitted/,
    );
  });

  it("drives the Enforcer: ensure, apply (one transaction), flush, delete", async () => {
    const { runner, calls } = fakeRunner();
    const enforcer = new Enforcer(new PolicyEngine(), new NftFirewall(runner), {}, { warn() {} });
    await enforcer.applyFirewallRules(
      samplePolicies,
      sampleLocal,
      "tether0",
      peersById(samplePeers),
    );
    await enforcer.teardown();
    expect(
      calls.map((c) => c.stdin?.split("\n").filter((l) => /^(table|delete|flush)/.test(l))),
    ).toEqual([
      ["table inet tether"],
      ["table inet tether", "delete table inet tether", "table inet tether {"],
      ["table inet tether", "flush table inet tether"],
      ["table inet tether", "delete table inet tether"],
    ]);
    expect(calls[1]?.stdin).toContain('counter drop comment "default-deny"');
  });

  it("reports a failed apply with the enforce prefix", async () => {
    const { runner } = fakeRunner(() => ({ code: 1, stderr: "Error: Could not process rule" }));
    const enforcer = new Enforcer(new PolicyEngine(), new NftFirewall(runner), {}, { warn() {} });
    await expect(
      enforcer.applyFirewallRules(samplePolicies, sampleLocal, "tether0", peersById(samplePeers)),
    ).rejects.toThrow(/^policy: enforce: nft -f - exited 1: Error: Could not process rule$/);
  });
});
