import { z } from "@hono/zod-openapi";
import type { RegoPolicyInput, RegoPolicyRow } from "../services/governance/policies.ts";
import { iso } from "./common.ts";

const MAX_SOURCE = 256 * 1024;

export const RegoPolicyBody = z
  .object({
    name: z
      .string()
      .min(1, "must not be empty")
      .max(200, "at most 200 characters")
      .regex(/^[\w.\-/]+$/, "letters, digits, `_`, `-`, `.` and `/` only"),
    source: z.string().min(1, "must not be empty").max(MAX_SOURCE, "too long"),
    tests: z.string().max(MAX_SOURCE, "too long").nullable().optional().openapi({
      description: "Rego `test_*` rules run against the policy; failing ones refuse activation",
    }),
    status: z.enum(["draft", "active"]).default("draft"),
    mode: z.enum(["audit", "enforce"]).default("audit"),
    target_apps: z.array(z.string().min(1).max(200)).max(1000).default([]).openapi({
      description: "App ids or slugs; empty = every app",
    }),
    target_nodes: z
      .array(z.uuid({ error: "must be a UUID" }))
      .max(10_000)
      .default([])
      .openapi({
        description: "Node ids that receive it; empty = every node",
      }),
  })
  .strict()
  .openapi("RegoPolicyInput");

export const toInput = (b: z.infer<typeof RegoPolicyBody>): RegoPolicyInput => ({
  name: b.name,
  source: b.source,
  tests: b.tests ?? null,
  status: b.status,
  mode: b.mode,
  targetApps: [...new Set(b.target_apps)],
  targetNodes: [...new Set(b.target_nodes.map((n) => n.toLowerCase()))],
});

export const RegoPolicy = z
  .object({
    id: z.uuid(),
    name: z.string(),
    package_path: z.string().openapi({ example: "tether.sandbox" }),
    source: z.string(),
    tests: z.string().nullable(),
    version: z.number().int(),
    status: z.enum(["draft", "active"]),
    mode: z.enum(["audit", "enforce"]),
    target_apps: z.array(z.string()),
    target_nodes: z.array(z.string()),
    revision: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("RegoPolicy");

export const toRegoPolicy = (r: RegoPolicyRow): z.infer<typeof RegoPolicy> => ({
  id: r.id,
  name: r.name,
  package_path: r.packagePath,
  source: r.source,
  tests: r.tests,
  version: r.version,
  status: r.status,
  mode: r.mode,
  target_apps: r.targetApps,
  target_nodes: r.targetNodes,
  revision: r.revision,
  created_at: iso(r.createdAt)!,
  updated_at: iso(r.updatedAt)!,
});

export const RegoErrorItem = z
  .object({
    code: z.string().openapi({ example: "rego_unsafe_var_error" }),
    message: z.string(),
    file: z.string(),
    line: z.number().int(),
    col: z.number().int(),
  })
  .openapi("RegoErrorItem");

export const COMPILE_ERRORS =
  "A module that does not compile is refused with 400 `validation_failed`; `details` lists every error as `{path, code, message, file, line, col}`.";
