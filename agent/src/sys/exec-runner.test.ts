import { describe, expect, it } from "vitest";
import { createExecRunner, NOT_FOUND, TIMED_OUT } from "./exec-runner.ts";

const runner = createExecRunner();

describe("createExecRunner", () => {
  it("passes arguments without a shell", async () => {
    const r = await runner.run("printf", ["%s|", "a b", "$HOME", "; rm -rf /"]);
    expect(r).toEqual({ code: 0, stdout: "a b|$HOME|; rm -rf /|", stderr: "" });
  });

  it("writes stdin", async () => {
    const r = await runner.run("cat", [], { stdin: "secret key\n" });
    expect(r.stdout).toBe("secret key\n");
  });

  it("reports the exit code and stderr", async () => {
    const r = await runner.run("sh", ["-c", "echo oops >&2; exit 3"]);
    expect(r).toEqual({ code: 3, stdout: "", stderr: "oops\n" });
  });

  it("reports a missing command as 127", async () => {
    const r = await runner.run("definitely-not-a-command-xyz", []);
    expect(r.code).toBe(NOT_FOUND);
  });

  it("kills a command at its timeout", async () => {
    const r = await runner.run("sleep", ["5"], { timeoutMs: 100 });
    expect(r.code).toBe(TIMED_OUT);
  });

  it("keeps large outputs", async () => {
    const r = await runner.run("head", ["-c", String(20 * 1024 * 1024), "/dev/zero"]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(20 * 1024 * 1024);
  });

  it("passes extra environment variables", async () => {
    const r = await runner.run("sh", ["-c", 'printf %s "$X_TEST"'], { env: { X_TEST: "yes" } });
    expect(r.stdout).toBe("yes");
  });
});
