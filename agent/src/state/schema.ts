import { EdgePolicy, type NodeState } from "@tether/schema/wire";
import { z } from "zod";

/**
 * Runtime checks of what the agent reads from the network and from disk. The
 * types are `@tether/schema/wire`'s; schema/ declares them as TypeScript types
 * only, so the agent checks their shape here (`satisfies` keeps both in step).
 */
export const SigningKeyInfoSchema = z.object({
  key_id: z.string(),
  public_key: z.string(),
  status: z.enum(["active", "previous"]),
  retires_at: z.string().nullable(),
});

export const PeerSchema = z.object({
  id: z.string(),
  name: z.string(),
  public_key: z.string(),
  mesh_ip: z.string(),
  endpoint: z.string().nullable(),
  groups: z.array(z.string()),
});

export const MeshPolicySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  rules: z.array(
    z.object({
      src: z.string(),
      dst: z.string(),
      port: z.union([z.number(), z.string()]),
      protocol: z.enum(["", "tcp", "udp"]),
      action: z.enum(["allow", "deny"]),
    }),
  ),
  version: z.number(),
  revision: z.number(),
});

export const NodeModeSchema = z.enum(["enforce", "audit", "off"]);

export const NodeStateSchema = z.object({
  revision: z.number().int(),
  seq: z.number().int(),
  node: z.object({
    id: z.string(),
    name: z.string(),
    mesh_ip: z.string(),
    mesh_cidr: z.string(),
    mode: NodeModeSchema,
    groups: z.array(z.string()),
  }),
  peers: z.array(PeerSchema),
  policies: z.array(MeshPolicySchema),
  /** Absent from states cached before the agent knew Rego policies. */
  rego_policies: z.array(EdgePolicy).default([]),
  signing_keys: z.array(SigningKeyInfoSchema),
}) satisfies z.ZodType<NodeState>;
