import { describe, expect, it } from "vitest";
import { FakeKernel } from "./fake-kernel.ts";
import { teardown } from "./teardown.ts";

describe("teardown", () => {
  it("removes the interface, then the table", async () => {
    const k = new FakeKernel();
    await teardown(k, { iface: "tether0" });
    expect(k.calls.map((c) => [c.file, ...c.args].join(" "))).toEqual([
      "ip link delete tether0",
      "nft -f -",
    ]);
    expect(k.calls[1]?.stdin).toBe("table inet tether\ndelete table inet tether\n");
  });

  it("keeps the table when the interface cannot be removed, with the seed's prefix", async () => {
    const k = new FakeKernel();
    k.failing.set("ip link delete", "RTNETLINK answers: Operation not permitted");
    await expect(teardown(k, { iface: "tether0" })).rejects.toThrow(
      "policy: teardown: ip link delete tether0 exited 1: RTNETLINK answers: Operation not permitted",
    );
    expect(k.calls).toHaveLength(1);
  });

  it("reports a failed table removal", async () => {
    const k = new FakeKernel();
    k.failing.set("nft -f", "Error: Could not process rule: Device or resource busy");
    await expect(teardown(k, { iface: "tether0", table: "t2" })).rejects.toThrow(
      /^policy: teardown: nft -f - exited 1/,
    );
  });
});
