import type { RulesetShape } from "../nftables/shape.ts";
import type { RunOptions, RunResult, Runner } from "../sys/runner.ts";

/**
 * A Runner that plays the kernel for tests: answers `ip -j addr show`,
 * `wg show dump` and `nft -j list table` from its state, applies `ip`,
 * `wg set` and `nft -f -` writes to it, and records every call. nft scripts
 * are not parsed: the test registers which shape each script produces.
 */
export class FakeKernel implements Runner {
  readonly calls: { file: string; args: readonly string[]; stdin?: string }[] = [];
  link: { up: boolean; addresses: string[] } | null = null;
  wg = {
    publicKey: null as string | null,
    listenPort: 0,
    peers: new Map<string, { endpoint: string | null; allowedIps: string[]; keepalive: number }>(),
  };
  table: RulesetShape = { exists: false, hash: null, chains: {}, sets: {} };
  /** Script text → the table it produces. */
  readonly scripts = new Map<string, RulesetShape>();
  /** `file args…` prefixes that fail. */
  readonly failing = new Map<string, string>();

  constructor(private readonly publicKeyOfPrivate = "PUBLIC") {}

  /** Calls that change something (everything but the three reads). */
  writes(): string[] {
    return this.calls
      .map((c) => [c.file, ...c.args].join(" "))
      .filter((c) => !/^(ip -j addr show|wg show|nft -j list)/.test(c));
  }

  /** `peer K [remove | allowed-ips … endpoint … persistent-keepalive …]…`, as `wg set` takes them. */
  private setPeers(clauses: readonly string[]): void {
    let i = 0;
    while (clauses[i] === "peer") {
      const key = clauses[i + 1]!;
      i += 2;
      const opts = new Map<string, string>();
      let remove = false;
      while (i < clauses.length && clauses[i] !== "peer") {
        if (clauses[i] === "remove") {
          remove = true;
          i++;
        } else {
          opts.set(clauses[i]!, clauses[i + 1]!);
          i += 2;
        }
      }
      if (remove) {
        this.wg.peers.delete(key);
        continue;
      }
      const old = this.wg.peers.get(key);
      const keepalive = opts.get("persistent-keepalive");
      this.wg.peers.set(key, {
        endpoint: opts.get("endpoint") ?? old?.endpoint ?? null,
        allowedIps: (opts.get("allowed-ips") ?? "").split(",").filter(Boolean).sort(),
        keepalive: keepalive === undefined || keepalive === "off" ? 0 : Number(keepalive),
      });
    }
  }

  async run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.calls.push({
      file,
      args,
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    });
    const line = [file, ...args].join(" ");
    for (const [prefix, stderr] of this.failing) {
      if (line.startsWith(prefix)) return { code: 1, stdout: "", stderr };
    }
    const ok = (stdout = "") => ({ code: 0, stdout, stderr: "" });
    const [a0, a1, a2, a3] = args;
    if (file === "ip" && a0 === "-j") {
      if (!this.link) return { code: 1, stdout: "", stderr: `Device "${args[4]}" does not exist.` };
      const addr_info = this.link.addresses.map((a) => ({
        local: a.split("/")[0],
        prefixlen: Number(a.split("/")[1]),
        scope: "global",
      }));
      return ok(
        JSON.stringify([{ ifname: args[4], flags: this.link.up ? ["UP"] : [], addr_info }]),
      );
    }
    if (file === "ip" && a0 === "link" && a1 === "add") {
      this.link = { up: false, addresses: [] };
      return ok();
    }
    if (file === "ip" && a0 === "link" && a1 === "delete") {
      if (!this.link) return { code: 1, stdout: "", stderr: `Cannot find device "${a2}"` };
      this.link = null;
      this.wg = { publicKey: null, listenPort: 0, peers: new Map() };
      return ok();
    }
    if (file === "ip" && a0 === "link" && a1 === "set") {
      if (this.link) this.link.up = true;
      return ok();
    }
    if (file === "ip" && a0 === "address" && this.link) {
      if (a1 === "add") this.link.addresses.push(a2!);
      else this.link.addresses = this.link.addresses.filter((x) => x !== a2);
      return ok();
    }
    if (file === "wg" && a0 === "show") {
      const head = `SECRET\t${this.wg.publicKey ?? "(none)"}\t${this.wg.listenPort}\toff`;
      const peers = [...this.wg.peers].map(
        ([k, p]) =>
          `${k}\t(none)\t${p.endpoint ?? "(none)"}\t${p.allowedIps.join(",") || "(none)"}\t0\t0\t0\t${p.keepalive || "off"}`,
      );
      return ok([head, ...peers, ""].join("\n"));
    }
    if (file === "wg" && a0 === "set") {
      if (a2 === "private-key") this.wg.publicKey = this.publicKeyOfPrivate;
      else if (a2 === "listen-port") this.wg.listenPort = Number(a3);
      else if (a2 === "peer") this.setPeers(args.slice(2));
      return ok();
    }
    if (file === "nft" && a0 === "-j") {
      if (!this.table.exists)
        return { code: 1, stdout: "", stderr: "Error: No such file or directory" };
      return ok(JSON.stringify(toNftJson(this.table)));
    }
    if (file === "nft" && a0 === "-f") {
      if (/^table inet \w+\ndelete table inet \w+\n$/.test(options.stdin ?? "")) {
        this.table = { exists: false, hash: null, chains: {}, sets: {} };
        return ok();
      }
      const shape = this.scripts.get(options.stdin ?? "");
      if (!shape)
        return { code: 1, stdout: "", stderr: "Error: syntax error (script not registered)" };
      this.table = structuredClone(shape);
      return ok();
    }
    return { code: 127, stdout: "", stderr: `fake kernel: ${line}: not simulated` };
  }
}

/** The shape as `nft -j list table` would print it. */
export function toNftJson(shape: RulesetShape, table = "tether") {
  const nftables: unknown[] = [
    { metainfo: { json_schema_version: 1 } },
    { table: { family: "inet", name: table } },
  ];
  for (const [name, elem] of Object.entries(shape.sets))
    nftables.push({ set: { family: "inet", table, name, elem } });
  for (const [name, c] of Object.entries(shape.chains)) {
    const [type, hook, prio, policy] = c.hook?.split(" ") ?? [];
    nftables.push({
      chain: {
        family: "inet",
        table,
        name,
        ...(hook ? { type, hook, prio: Number(prio), policy } : {}),
      },
    });
  }
  for (const [name, c] of Object.entries(shape.chains)) {
    for (const comment of c.rules)
      nftables.push({ rule: { family: "inet", table, chain: name, comment } });
  }
  return { nftables };
}
