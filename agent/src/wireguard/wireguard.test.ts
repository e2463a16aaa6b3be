import { describe, expect, it } from "vitest";
import type { RunOptions, RunResult, Runner } from "../sys/runner.ts";
import { removePeerArgs, setPeerArgs, setPrivateKey, setPrivateKeyFile } from "./commands.ts";
import { parseWgDump, WgDumpError } from "./dump.ts";
import { createWireGuardLink, deleteLink, parseIpAddrJson, readLink } from "./link.ts";
import { type DesiredPeer, desiredPeers, hostCidr, planPeers } from "./peers.ts";

const K1 = "FlnoCl6r+ULlZetjnh4VuwEF9N+tI4dwPNniJo6PC14=";
const K2 = "d/RQqUt7yAuwBeEo7j1m48/+skdkXXr5symEQdDvLTc=";
const K3 = "RsW7uWFZIrAbnA9tGmdzOZahBG2CYFrh2WuO0ZQEN38=";
const PRIVATE = "IN2+rBve1sjfWXL0wGnP/dk2EiHkS0PUQwUuo5LWl2g=";

/** Captured from `wg show wgt0 dump` (wireguard-go in a namespace). */
const DUMP = [
  `${PRIVATE}\t${K3}\t51820\toff`,
  `${K1}\t(none)\t192.0.2.1:51820\t10.100.0.3/32,10.100.0.2/32\t0\t0\t0\toff`,
  `${K2}\t(none)\t(none)\t10.100.0.9/32\t1700000000\t10\t20\t25`,
  "",
].join("\n");

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

describe("parseWgDump", () => {
  it("reads the interface and peers and drops the private key", () => {
    const dump = parseWgDump(DUMP);
    expect(dump).toEqual({
      iface: { publicKey: K3, listenPort: 51820 },
      peers: [
        {
          publicKey: K1,
          endpoint: "192.0.2.1:51820",
          allowedIps: ["10.100.0.2/32", "10.100.0.3/32"],
          latestHandshake: 0,
          keepalive: 0,
        },
        {
          publicKey: K2,
          endpoint: null,
          allowedIps: ["10.100.0.9/32"],
          latestHandshake: 1700000000,
          keepalive: 25,
        },
      ],
    });
    expect(JSON.stringify(dump)).not.toContain(PRIVATE);
  });

  it("reads an interface without key or peers", () => {
    expect(parseWgDump("(none)\t(none)\t0\toff\n")).toEqual({
      iface: { publicKey: null, listenPort: 0 },
      peers: [],
    });
    expect(
      parseWgDump(`${PRIVATE}\t${K3}\t51820\toff\n${K1}\t(none)\t(none)\t(none)\t0\t0\t0\toff`)
        .peers[0]?.allowedIps,
    ).toEqual([]);
  });

  it("rejects what is not a dump", () => {
    expect(() => parseWgDump("")).toThrow(WgDumpError);
    expect(() => parseWgDump(`${PRIVATE}\t${K3}\t1\toff\n${K1}\tx`)).toThrow(
      "wireguard: wg dump peer line 1 has 2 fields, want 8",
    );
  });
});

describe("desiredPeers", () => {
  it("maps state peers to host CIDRs and leaves out malformed ones with a problem", () => {
    const { peers, problems } = desiredPeers(
      [
        { id: "b", public_key: K1, mesh_ip: "10.100.0.2", endpoint: "192.0.2.1:51820" },
        { id: "c", public_key: "not-a-key", mesh_ip: "10.100.0.3", endpoint: null },
        { id: "d", public_key: K2, mesh_ip: "10.100.0.4; rm", endpoint: null },
        { id: "e", public_key: K2, mesh_ip: "fd00::5", endpoint: "--help" },
        { id: "f", public_key: K1, mesh_ip: "10.100.0.6", endpoint: null },
      ],
      25,
    );
    expect(peers).toEqual([
      { publicKey: K1, endpoint: "192.0.2.1:51820", allowedIps: ["10.100.0.2/32"], keepalive: 25 },
    ]);
    expect(problems).toEqual([
      "wireguard: peer c: invalid public key",
      'wireguard: peer d: invalid mesh IP "10.100.0.4; rm"',
      'wireguard: peer e: invalid endpoint "--help"',
      "wireguard: peer f: public key used by another peer",
    ]);
    expect(hostCidr("fd00::5")).toBe("fd00::5/128");
  });
});

describe("planPeers", () => {
  const actual = parseWgDump(DUMP).peers;
  const p = (
    publicKey: string,
    allowedIps: string[],
    endpoint: string | null = null,
    keepalive = 0,
  ): DesiredPeer => ({ publicKey, allowedIps, endpoint, keepalive });

  it("plans nothing when the kernel already matches", () => {
    expect(
      planPeers(
        [
          p(K1, ["10.100.0.3/32", "10.100.0.2/32"], "192.0.2.1:51820"),
          p(K2, ["10.100.0.9/32"], null, 25),
        ],
        actual,
      ),
    ).toEqual([]);
  });

  it("removes first, then updates, then adds", () => {
    const ops = planPeers(
      [p(K3, ["10.100.0.9/32"]), p(K1, ["10.100.0.2/32"], "192.0.2.1:51820")],
      actual,
    );
    expect(ops.map((o) => o.kind)).toEqual(["remove", "update", "add"]);
    expect(ops[0]).toEqual({ kind: "remove", publicKey: K2 });
    expect(ops[1]).toMatchObject({ changes: ["allowed-ips"] });
  });

  it("treats a changed key as removal plus addition", () => {
    const ops = planPeers(
      [
        p(K3, ["10.100.0.9/32"], null, 25),
        p(K1, ["10.100.0.2/32", "10.100.0.3/32"], "192.0.2.1:51820"),
      ],
      actual,
    );
    expect(ops).toEqual([
      { kind: "remove", publicKey: K2 },
      { kind: "add", peer: p(K3, ["10.100.0.9/32"], null, 25) },
    ]);
  });

  it("rewrites endpoints only when unknown to the kernel or a differing IP literal", () => {
    const base = p(K1, ["10.100.0.2/32", "10.100.0.3/32"]);
    const roamed = [{ ...actual[0]!, endpoint: "198.51.100.7:4000" }];
    expect(planPeers([{ ...base, endpoint: "peer.example:51820" }], roamed)).toEqual([]);
    expect(planPeers([{ ...base, endpoint: null }], roamed)).toEqual([]);
    expect(planPeers([{ ...base, endpoint: "192.0.2.1:51820" }], roamed)[0]).toMatchObject({
      changes: ["endpoint"],
    });
    expect(
      planPeers(
        [{ ...base, endpoint: "peer.example:51820" }],
        [{ ...roamed[0]!, endpoint: null }],
      )[0],
    ).toMatchObject({ changes: ["endpoint"] });
  });

  it("updates keepalive", () => {
    expect(planPeers([p(K2, ["10.100.0.9/32"])], [actual[1]!])).toEqual([
      { kind: "update", peer: p(K2, ["10.100.0.9/32"]), changes: ["persistent-keepalive"] },
    ]);
  });
});

describe("wg commands", () => {
  it("builds argv with public keys only", () => {
    expect(
      setPeerArgs("tether0", {
        publicKey: K1,
        allowedIps: ["10.100.0.2/32"],
        endpoint: "192.0.2.1:51820",
        keepalive: 25,
      }),
    ).toEqual([
      "set",
      "tether0",
      "peer",
      K1,
      "allowed-ips",
      "10.100.0.2/32",
      "endpoint",
      "192.0.2.1:51820",
      "persistent-keepalive",
      "25",
    ]);
    expect(
      setPeerArgs("tether0", {
        publicKey: K1,
        allowedIps: ["10.100.0.2/32"],
        endpoint: null,
        keepalive: 0,
      }),
    ).toEqual([
      "set",
      "tether0",
      "peer",
      K1,
      "allowed-ips",
      "10.100.0.2/32",
      "persistent-keepalive",
      "off",
    ]);
    expect(removePeerArgs("tether0", K2)).toEqual(["set", "tether0", "peer", K2, "remove"]);
  });

  it("passes the private key through stdin or a file path, never argv", async () => {
    const { runner, calls } = fakeRunner();
    await setPrivateKey(runner, "tether0", PRIVATE);
    await setPrivateKeyFile(runner, "tether0", "/var/lib/tether/private.key");
    expect(calls).toEqual([
      { file: "wg", args: ["set", "tether0", "private-key", "/dev/stdin"], stdin: `${PRIVATE}\n` },
      {
        file: "wg",
        args: ["set", "tether0", "private-key", "/var/lib/tether/private.key"],
        stdin: undefined,
      },
    ]);
    for (const c of calls) expect(c.args.join(" ")).not.toContain(PRIVATE);
  });
});

describe("interface setup", () => {
  it("uses the kernel module when there is one", async () => {
    const { runner, calls } = fakeRunner();
    expect(await createWireGuardLink(runner, "tether0")).toBe("kernel");
    expect(calls.map((c) => [c.file, ...c.args].join(" "))).toEqual([
      "ip link add tether0 type wireguard",
    ]);
  });

  it("falls back to wireguard-go when the kernel has no WireGuard", async () => {
    const { runner, calls } = fakeRunner((file) =>
      file === "ip" ? { code: 2, stderr: "Error: Unknown device type.\n" } : {},
    );
    expect(await createWireGuardLink(runner, "tether0")).toBe("wireguard-go");
    expect(calls.map((c) => [c.file, ...c.args].join(" "))).toEqual([
      "ip link add tether0 type wireguard",
      "wireguard-go tether0",
    ]);
  });

  it("does not hide other failures behind the fallback", async () => {
    const { runner } = fakeRunner(() => ({ code: 2, stderr: "RTNETLINK answers: File exists" }));
    await expect(createWireGuardLink(runner, "tether0")).rejects.toThrow(/File exists/);
  });

  it("reads the link (captured from ip -j addr show) and its absence", async () => {
    const json = `[{"ifindex":2,"ifname":"wgt0","flags":["POINTOPOINT","MULTICAST","NOARP","UP","LOWER_UP"],"mtu":1420,"addr_info":[{"family":"inet","local":"10.100.0.1","prefixlen":16,"scope":"global"},{"family":"inet6","local":"fe80::deb:dc33:41cc:6260","prefixlen":64,"scope":"link"}]}]`;
    expect(parseIpAddrJson(json)).toEqual({ up: true, addresses: ["10.100.0.1/16"] });
    expect(
      parseIpAddrJson(`[{"ifname":"wgt0","flags":["POINTOPOINT","NOARP"],"addr_info":[]}]`),
    ).toEqual({ up: false, addresses: [] });
    const missing = fakeRunner(() => ({ code: 1, stderr: 'Device "tether0" does not exist.' }));
    expect(await readLink(missing.runner, "tether0")).toBeNull();
    await deleteLink(missing.runner, "tether0");
    const denied = fakeRunner(() => ({ code: 2, stderr: "Operation not permitted" }));
    await expect(readLink(denied.runner, "tether0")).rejects.toThrow(/Operation not permitted/);
  });
});
