import { z } from "@hono/zod-openapi";
import { EdgePolicy } from "@tether/schema/wire";

/** OpenAPI shapes of the agent protocol (the types live in @tether/schema/wire). */
export const SigningKeyInfoSchema = z
  .object({
    key_id: z.string(),
    public_key: z.string(),
    status: z.enum(["active", "previous"]),
    retires_at: z.string().nullable(),
  })
  .openapi("SigningKeyInfo");

const PeerSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    public_key: z.string(),
    mesh_ip: z.string(),
    endpoint: z.string().nullable(),
    groups: z.array(z.string()),
  })
  .openapi("Peer");

const RuleSchema = z.object({
  src: z.string(),
  dst: z.string(),
  port: z.union([z.number(), z.string()]),
  protocol: z.string(),
  action: z.string(),
});

export const NodeStateSchema = z
  .object({
    revision: z.number().int(),
    seq: z
      .number()
      .int()
      .openapi({ description: "Resume the event stream after this sequence number" }),
    node: z.object({
      id: z.uuid(),
      name: z.string(),
      mesh_ip: z.string(),
      mesh_cidr: z.string(),
      mode: z.enum(["enforce", "audit", "off"]),
      groups: z.array(z.string()),
    }),
    peers: z.array(PeerSchema),
    policies: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        description: z.string(),
        rules: z.array(RuleSchema),
        version: z.number().int(),
        revision: z.number().int(),
      }),
    ),
    rego_policies: z.array(EdgePolicy).openapi({
      description:
        "The active Rego policies targeting this node (untargeted policies target every node)",
    }),
    signing_keys: z.array(SigningKeyInfoSchema),
  })
  .openapi("NodeState");

export const nodeSecurity = [{ NodeCredential: [] }];
