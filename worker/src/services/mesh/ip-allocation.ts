/**
 * Mesh addresses: the lowest free host address of the org's IPv4 CIDR
 * (network and broadcast addresses excluded).
 */
export function parseCidr(cidr: string): { base: number; bits: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 8 || bits > 30) {
    throw new Error(`mesh CIDR must be IPv4 with a prefix of /8 to /30: ${cidr}`);
  }
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: addr - (addr % size), bits };
}

export function ipToString(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function ipToNumber(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** The lowest free address, or undefined when the CIDR is full. */
export function allocateMeshIp(cidr: string, used: Iterable<string>): string | undefined {
  const { base, bits } = parseCidr(cidr);
  const size = 2 ** (32 - bits);
  const taken = new Set<number>();
  for (const ip of used) taken.add(ipToNumber(ip));
  for (let n = base + 1; n < base + size - 1; n++) {
    if (!taken.has(n)) return ipToString(n);
  }
  return undefined;
}
