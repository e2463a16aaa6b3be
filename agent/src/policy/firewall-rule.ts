import { type Action, type Protocol, parsePort, RULE_ERROR_PREFIX } from "@tether/schema/wire";
import { PolicyError } from "./config.ts";

/** The seed's "any address": what `*` resolves to. Rendered as no address match. */
export const ANY_ADDRESS = "0.0.0.0/0";

/** Where a firewall rule came from: `<policy id>#<rule index>`, or the final drop. */
export const DEFAULT_DENY = "default-deny";

/**
 * One packet filter rule for traffic arriving on the mesh interface (the
 * seed's `FirewallRule`). Addresses are {@link ANY_ADDRESS}, one IP (or
 * CIDR), or `@<set>`: a named address set of a `group:` selector, whose
 * members are listed in {@link FirewallRuleSet.sets}.
 */
export interface FirewallRule {
  iface: string;
  srcIp: string;
  dstIp: string;
  /** 0 = any; 1–65535; or an inclusive range `"lo-hi"` (as in mesh rules). */
  port: number | string;
  protocol: Protocol;
  action: Action;
  /** `<policy id>#<rule index>` or {@link DEFAULT_DENY}; shown in logs and nft comments. */
  origin: string;
}

/** Rules (default-deny last) plus the address sets they reference. */
export interface FirewallRuleSet {
  rules: FirewallRule[];
  /** Set name → member addresses (sorted, unique). */
  sets: Map<string, string[]>;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

/** An IPv4 or IPv6 address, optionally with a prefix length. */
export function isAddress(text: string): boolean {
  const slash = text.indexOf("/");
  const ip = slash < 0 ? text : text.slice(0, slash);
  const v4 = IPV4.test(ip);
  if (!v4 && !(IPV6.test(ip) && ip.includes(":"))) return false;
  if (slash < 0) return true;
  const len = text.slice(slash + 1);
  return /^\d{1,3}$/.test(len) && Number(len) <= (v4 ? 32 : 128);
}

/**
 * The address as nft and wg print it: IPv6 lower-cased and compressed
 * (`FD00:0:0::4` → `fd00::4`), so a state written differently does not
 * read back as drift on every pass. IPv4 and CIDRs are returned as given.
 */
export function canonicalAddress(ip: string): string {
  if (!ip.includes(":") || ip.includes("/")) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}

/** `4` or `6`, from the address text. */
export function addressFamily(text: string): 4 | 6 {
  return text.includes(":") ? 6 : 4;
}

const SET_REF = /^@[A-Za-z][A-Za-z0-9_]{0,30}$/;

/**
 * The seed's `FirewallRule.Validate`, with its texts and order (action,
 * port, protocol, port-without-protocol). Addresses are checked too, since
 * they are rendered into an nft script.
 *
 * @example
 * validateFirewallRule({ ...rule, port: 22, protocol: "" })?.message
 * // 'policy: firewall rule: port 22 requires a protocol'
 */
export function validateFirewallRule(rule: FirewallRule): PolicyError | null {
  const { action, port, protocol } = rule as { action: unknown; port: unknown; protocol: unknown };
  if (action !== "allow" && action !== "deny") {
    return new PolicyError(`${RULE_ERROR_PREFIX} invalid action ${quote(action)}`, "action");
  }
  const range = typeof port === "number" || typeof port === "string" ? parsePort(port) : undefined;
  if (range === undefined) {
    return new PolicyError(`${RULE_ERROR_PREFIX} invalid port ${portText(port)}`, "port");
  }
  if (protocol !== "" && protocol !== "tcp" && protocol !== "udp") {
    return new PolicyError(`${RULE_ERROR_PREFIX} invalid protocol ${quote(protocol)}`, "protocol");
  }
  if (range && protocol === "") {
    return new PolicyError(
      `${RULE_ERROR_PREFIX} port ${portText(port)} requires a protocol`,
      "port",
    );
  }
  for (const field of ["srcIp", "dstIp"] as const) {
    const value = rule[field];
    if (value !== ANY_ADDRESS && !SET_REF.test(value) && !isAddress(value)) {
      return new PolicyError(`${RULE_ERROR_PREFIX} invalid address ${quote(value)}`, field);
    }
  }
  return null;
}

function quote(v: unknown): string {
  return JSON.stringify(typeof v === "string" ? v : String(v));
}

function portText(v: unknown): string {
  return typeof v === "number" ? String(v) : quote(v);
}
