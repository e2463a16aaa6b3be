import { createRoute, z } from "@hono/zod-openapi";
import { requireAdmin } from "../middleware/auth.ts";
import type { PolicyRowBase, PolicySettings } from "../services/governance/policy-kind.ts";
import { adminSecurity, errorResponses, iso, UuidParam } from "./common.ts";
import { Deleted } from "./nodes.schemas.ts";

/**
 * What the routes of every governance policy kind (Rego modules, compiled
 * Wasm) share: the settings fields of their bodies and answers, and the
 * read and write routes.
 */

export const PolicyName = z
  .string()
  .min(1, "must not be empty")
  .max(200, "at most 200 characters")
  .regex(/^[\w.\-/]+$/, "letters, digits, `_`, `-`, `.` and `/` only");

/** A body's settings after the kind's own fields. */
export const settingsBodyFields = {
  status: z.enum(["draft", "active"]).default("draft"),
  mode: z.enum(["audit", "enforce"]).default("audit"),
  target_apps: z.array(z.string().min(1).max(200)).max(1000).default([]).openapi({
    description: "App ids or slugs; empty = every app",
  }),
  target_nodes: z
    .array(z.uuid({ error: "must be a UUID" }))
    .max(10_000)
    .default([])
    .openapi({ description: "Node ids that receive it; empty = every node" }),
};

interface SettingsBody {
  name: string;
  status: "draft" | "active";
  mode: "audit" | "enforce";
  target_apps: string[];
  target_nodes: string[];
}

/** A body's settings as the services take them: targets deduplicated, node ids lowercase. */
export const toSettings = (b: SettingsBody): PolicySettings => ({
  name: b.name,
  status: b.status,
  mode: b.mode,
  targetApps: [...new Set(b.target_apps)],
  targetNodes: [...new Set(b.target_nodes.map((n) => n.toLowerCase()))],
});

const stateFields = {
  status: z.enum(["draft", "active"]),
  mode: z.enum(["audit", "enforce"]),
  target_apps: z.array(z.string()),
  target_nodes: z.array(z.string()),
  revision: z.number().int(),
};

/** A policy answer's fields after the kind's own ones. */
export const policyStateFields = {
  version: z.number().int(),
  ...stateFields,
  created_at: z.string(),
  updated_at: z.string(),
};

export const toPolicyState = (r: PolicyRowBase & { createdAt: Date }) => ({
  version: r.version,
  status: r.status,
  mode: r.mode,
  target_apps: r.targetApps,
  target_nodes: r.targetNodes,
  revision: r.revision,
  created_at: iso(r.createdAt)!,
  updated_at: iso(r.updatedAt)!,
});

/** A stored version's fields after the kind's own ones. */
export const versionStateFields = {
  ...stateFields,
  actor_id: z.uuid().nullable(),
  created_at: z.string(),
};

interface VersionRowBase {
  status: "draft" | "active";
  mode: "audit" | "enforce";
  targetApps: string[];
  targetNodes: string[];
  revision: number;
  actorId: string | null;
  createdAt: Date;
}

export const toVersionState = (v: VersionRowBase) => ({
  status: v.status,
  mode: v.mode,
  target_apps: v.targetApps,
  target_nodes: v.targetNodes,
  revision: v.revision,
  actor_id: v.actorId,
  created_at: iso(v.createdAt)!,
});

/**
 * The read routes of one kind under `path`: the org's policies by name, one
 * policy, and its versions newest first.
 */
export function policyReadRoutes<P extends z.ZodType, V extends z.ZodType>(o: {
  path: string;
  /** "Rego", "Wasm". */
  label: string;
  listDescription: string;
  policy: P;
  version: V;
  versionsDescription: string;
}) {
  return {
    list: createRoute({
      method: "get",
      path: o.path,
      summary: `List the org's ${o.label} policies`,
      security: adminSecurity("read"),
      middleware: [requireAdmin("read")] as const,
      responses: {
        200: {
          description: o.listDescription,
          content: { "application/json": { schema: z.object({ policies: z.array(o.policy) }) } },
        },
        ...errorResponses,
      },
    }),
    get: createRoute({
      method: "get",
      path: `${o.path}/{id}`,
      summary: `Get a ${o.label} policy`,
      security: adminSecurity("read"),
      middleware: [requireAdmin("read")] as const,
      request: { params: UuidParam },
      responses: {
        200: { description: "The policy", content: { "application/json": { schema: o.policy } } },
        ...errorResponses,
      },
    }),
    versions: createRoute({
      method: "get",
      path: `${o.path}/{id}/versions`,
      summary: `A ${o.label} policy's version history, newest first`,
      description: o.versionsDescription,
      security: adminSecurity("read"),
      middleware: [requireAdmin("read")] as const,
      request: { params: UuidParam },
      responses: {
        200: {
          description: "Versions, newest first",
          content: {
            "application/json": {
              schema: z.object({ policy_id: z.uuid(), versions: z.array(o.version) }),
            },
          },
        },
        ...errorResponses,
      },
    }),
  };
}

/**
 * The write routes of one kind under `path`: create (POST), full replace
 * (PUT `{id}`, a new version) and delete; 409 for what `conflicts` says.
 */
export function policyWriteRoutes<
  P extends z.ZodType,
  C extends z.ZodType,
  R extends z.ZodType,
>(o: {
  path: string;
  /** "Rego", "Wasm". */
  label: string;
  policy: P;
  conflicts: string;
  create: { summary: string; description: string; body: C };
  replace: { description: string; body: R };
  deleteDescription: string;
}) {
  const conflict = { ...errorResponses[400], description: o.conflicts };
  return {
    create: createRoute({
      method: "post",
      path: o.path,
      summary: o.create.summary,
      description: o.create.description,
      security: adminSecurity("admin"),
      middleware: [requireAdmin("admin")] as const,
      request: {
        body: { required: true, content: { "application/json": { schema: o.create.body } } },
      },
      responses: {
        201: { description: "Created", content: { "application/json": { schema: o.policy } } },
        409: conflict,
        ...errorResponses,
      },
    }),
    replace: createRoute({
      method: "put",
      path: `${o.path}/{id}`,
      summary: `Replace a ${o.label} policy (new version)`,
      description: o.replace.description,
      security: adminSecurity("admin"),
      middleware: [requireAdmin("admin")] as const,
      request: {
        params: UuidParam,
        body: { required: true, content: { "application/json": { schema: o.replace.body } } },
      },
      responses: {
        200: { description: "Replaced", content: { "application/json": { schema: o.policy } } },
        409: conflict,
        ...errorResponses,
      },
    }),
    remove: createRoute({
      method: "delete",
      path: `${o.path}/{id}`,
      summary: `Delete a ${o.label} policy and its history`,
      description: o.deleteDescription,
      security: adminSecurity("admin"),
      middleware: [requireAdmin("admin")] as const,
      request: { params: UuidParam },
      responses: {
        200: { description: "Deleted", content: { "application/json": { schema: Deleted } } },
        ...errorResponses,
      },
    }),
  };
}
