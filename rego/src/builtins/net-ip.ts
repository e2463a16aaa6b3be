/**
 * IPv4/IPv6 addresses and CIDR blocks as integers, parsed and printed the
 * way Go's `net` package does (strict dotted quads, RFC 5952 output).
 */

export interface Ip {
  v6: boolean;
  n: bigint;
}

export interface Cidr {
  v6: boolean;
  /** First address of the block. */
  start: bigint;
  prefix: number;
  /** The address as written (`192.168.1.1/30` keeps `.1`). */
  addr: bigint;
}

export const bitsOf = (v6: boolean) => (v6 ? 128 : 32);

function parseV4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  if (s.includes("%")) return undefined;
  let text = s;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    // A trailing dotted quad stands for the last two groups.
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === "") return [];
    const out: number[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length;
  let groups: number[];
  if (halves.length === 2) {
    if (total > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - total).fill(0), ...rest];
  } else {
    if (total !== 8) return undefined;
    groups = head;
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

const ipCache = new Map<string, Ip | null>();

export function parseIp(s: string): Ip | undefined {
  const hit = ipCache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const ip = parseIpUncached(s);
  if (ipCache.size > 10_000) ipCache.clear();
  ipCache.set(s, ip ?? null);
  return ip;
}

function parseIpUncached(s: string): Ip | undefined {
  if (s.includes(":")) {
    const n = parseV6(s);
    if (n === undefined) return undefined;
    // IPv4-mapped addresses are IPv4 to Go.
    if (n >> 32n === 0xffffn) return { v6: false, n: n & 0xffffffffn };
    return { v6: true, n };
  }
  const n = parseV4(s);
  return n === undefined ? undefined : { v6: false, n };
}

const cidrCache = new Map<string, Cidr | null>();

/** Parses `addr/prefix`; results are memoised (policies test the same blocks over and over). */
export function parseCidr(s: string): Cidr | undefined {
  const hit = cidrCache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const c = parseCidrUncached(s);
  if (cidrCache.size > 10_000) cidrCache.clear();
  cidrCache.set(s, c ?? null);
  return c;
}

function parseCidrUncached(s: string): Cidr | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(s.slice(0, slash));
  const p = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(p)) return undefined;
  const prefix = Number(p);
  if (prefix > bitsOf(ip.v6)) return undefined;
  return { v6: ip.v6, start: networkOf(ip.n, prefix, ip.v6), prefix, addr: ip.n };
}

export function networkOf(n: bigint, prefix: number, v6: boolean): bigint {
  const host = BigInt(bitsOf(v6) - prefix);
  return (n >> host) << host;
}

export function lastOf(c: Pick<Cidr, "start" | "prefix" | "v6">): bigint {
  return c.start + (1n << BigInt(bitsOf(c.v6) - c.prefix)) - 1n;
}

export function formatIp(ip: Ip): string {
  if (!ip.v6) {
    const b = [24n, 16n, 8n, 0n].map((sh) => Number((ip.n >> sh) & 0xffn));
    return b.join(".");
  }
  const g = Array.from({ length: 8 }, (_, i) => Number((ip.n >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

export function formatCidr(c: Pick<Cidr, "start" | "prefix" | "v6">): string {
  return `${formatIp({ v6: c.v6, n: c.start })}/${c.prefix}`;
}
