/**
 * Reading WireGuard state back from the kernel (or wireguard-go):
 * `wg show <if> dump` is tab-separated; the first line is the interface
 * (private key, public key, listen port, fwmark), then one line per peer
 * (public key, preshared key, endpoint, allowed ips, latest handshake,
 * rx, tx, persistent keepalive).
 */
export interface ActualInterface {
  /** `null` when no private key is set. The private key itself is dropped on parse. */
  publicKey: string | null;
  listenPort: number;
}

export interface ActualPeer {
  publicKey: string;
  /** `host:port`, or null when unknown. */
  endpoint: string | null;
  /** Sorted CIDRs. */
  allowedIps: string[];
  /** Seconds, 0 = off. */
  keepalive: number;
  /** Unix seconds of the latest handshake, 0 = never. */
  latestHandshake: number;
}

export interface WgDump {
  iface: ActualInterface;
  peers: ActualPeer[];
}

export class WgDumpError extends Error {
  override name = "WgDumpError";
}

const none = (v: string | undefined) => (v === undefined || v === "(none)" || v === "" ? null : v);

/**
 * @example
 * const { iface, peers } = parseWgDump(await runChecked(runner, "wg", ["show", "tether0", "dump"]));
 */
export function parseWgDump(text: string): WgDump {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const head = lines[0]?.split("\t");
  if (!head || head.length < 4)
    throw new WgDumpError("wireguard: wg dump without an interface line");
  const iface = { publicKey: none(head[1]), listenPort: Number(head[2]) || 0 };
  const peers = lines.slice(1).map((line, i): ActualPeer => {
    const f = line.split("\t");
    if (f.length < 8)
      throw new WgDumpError(`wireguard: wg dump peer line ${i + 1} has ${f.length} fields, want 8`);
    const ips = none(f[3]);
    return {
      publicKey: f[0]!,
      endpoint: none(f[2]),
      allowedIps: ips ? ips.split(",").sort() : [],
      latestHandshake: Number(f[4]) || 0,
      keepalive: f[7] === "off" ? 0 : Number(f[7]) || 0,
    };
  });
  return { iface, peers };
}
