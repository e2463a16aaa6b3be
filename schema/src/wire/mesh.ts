import { z } from "zod";

/**
 * Mesh policy rules, validated with the error texts of the plexd policy
 * package (`policy: firewall rule: …`), extended with `group:<name>`
 * selectors and port ranges (`"8000-8100"`).
 */
export const RULE_ERROR_PREFIX = "policy: firewall rule:";

/** A node id (UUID), `group:<name>`, or `*` (any node). */
export const SELECTOR =
  /^(\*|group:[A-Za-z0-9][\w.-]{0,62}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
export const GROUP_NAME = /^[A-Za-z0-9][\w.-]{0,62}$/;

export type Protocol = "" | "tcp" | "udp";
export type Action = "allow" | "deny";

export interface MeshRule {
  src: string;
  dst: string;
  /** 0 = any port; 1–65535; or an inclusive range `"lo-hi"`. */
  port: number | string;
  protocol: Protocol;
  action: Action;
}

export interface PortRange {
  from: number;
  to: number;
}

/** `0` → null (any), `443` → 443–443, `"8000-8100"` → 8000–8100, else undefined (invalid). */
export function parsePort(port: number | string): PortRange | null | undefined {
  if (typeof port === "number") {
    if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
    return port === 0 ? null : { from: port, to: port };
  }
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(port);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to > 65535 || from > to) return undefined;
  return { from, to };
}

/** The seed's rule checks, in its order; returns the first problem or null. */
export function meshRuleProblems(rule: {
  src: unknown;
  dst: unknown;
  port: unknown;
  protocol: unknown;
  action: unknown;
}): { field: keyof MeshRule; message: string }[] {
  const problems: { field: keyof MeshRule; message: string }[] = [];
  const { action, port, protocol } = rule;
  if (action !== "allow" && action !== "deny") {
    problems.push({
      field: "action",
      message: `${RULE_ERROR_PREFIX} invalid action ${quote(action)}`,
    });
  }
  const range = typeof port === "number" || typeof port === "string" ? parsePort(port) : undefined;
  if (range === undefined) {
    problems.push({
      field: "port",
      message: `${RULE_ERROR_PREFIX} invalid port ${portText(port)}`,
    });
  }
  if (protocol !== "" && protocol !== "tcp" && protocol !== "udp") {
    problems.push({
      field: "protocol",
      message: `${RULE_ERROR_PREFIX} invalid protocol ${quote(protocol)}`,
    });
  } else if (range && protocol === "") {
    problems.push({
      field: "port",
      message: `${RULE_ERROR_PREFIX} port ${portText(port)} requires a protocol`,
    });
  }
  for (const field of ["src", "dst"] as const) {
    const value = rule[field];
    if (typeof value !== "string" || !SELECTOR.test(value)) {
      problems.push({
        field,
        message: `${RULE_ERROR_PREFIX} invalid ${field} ${quote(value)}: want a node id, group:<name> or *`,
      });
    }
  }
  return problems;
}

function quote(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(String(v));
}

function portText(v: unknown): string {
  return typeof v === "number" ? String(v) : quote(v);
}

/** zod schema of one rule; each problem is reported at `rules[i].<field>`. */
export const MeshRuleSchema = z
  .object({
    src: z.string(),
    dst: z.string(),
    port: z.union([z.number(), z.string()]).default(0),
    protocol: z.string().default(""),
    action: z.string(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    for (const p of meshRuleProblems(rule)) {
      ctx.addIssue({ code: "custom", path: [p.field], message: p.message });
    }
  })
  .transform((rule) => rule as MeshRule);

export const MeshPolicyInput = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    description: z.string().max(2000, "must be at most 2000 characters").default(""),
    rules: z.array(MeshRuleSchema).max(10_000, "at most 10000 rules per policy"),
  })
  .strict();

/** A mesh policy as the API and agents see it. */
export interface MeshPolicy {
  id: string;
  name: string;
  description: string;
  rules: MeshRule[];
  version: number;
  revision: number;
}
