import { z } from "zod";
import type { SigningKeyInfo } from "./envelope.ts";
import type { EdgePolicy } from "./governance.ts";
import type { MeshPolicy } from "./mesh.ts";

export type NodeMode = "enforce" | "audit" | "off";
export const NODE_MODES = ["enforce", "audit", "off"] as const;

/** A WireGuard peer as a node configures it. */
export interface Peer {
  id: string;
  name: string;
  public_key: string;
  mesh_ip: string;
  endpoint: string | null;
  groups: string[];
}

/** What `GET /v1/nodes/{id}/state` returns: everything a node enforces. */
export interface NodeState {
  revision: number;
  /** Last event sequence number included; resume the event stream after it. */
  seq: number;
  node: {
    id: string;
    name: string;
    mesh_ip: string;
    mesh_cidr: string;
    mode: NodeMode;
    groups: string[];
  };
  /** Only the peers policy makes visible to this node. */
  peers: Peer[];
  /** Only the mesh policies with a rule naming this node. */
  policies: MeshPolicy[];
  /** The active Rego policies that target this node (untargeted ones target every node). */
  rego_policies: EdgePolicy[];
  signing_keys: SigningKeyInfo[];
}

/** 32 bytes, base64 (a WireGuard key). */
export const WireGuardKey = z
  .string()
  .regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, "must be a WireGuard key: 32 bytes, base64");

export const RegisterRequest = z
  .object({
    token: z.string().min(1).max(200).optional(),
    public_key: WireGuardKey,
    hostname: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(253, "must be at most 253 characters")
      .regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, "must be a hostname (letters, digits, dots, dashes)"),
    name: z.string().trim().min(1).max(100).optional(),
    /** host:port where peers reach this node's WireGuard. */
    endpoint: z
      .string()
      .max(300)
      .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "must be host:port")
      .optional(),
  })
  .strict();
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export interface RegisterResponse {
  node_id: string;
  mesh_ip: string;
  mesh_cidr: string;
  /** The node credential (`tk_node_…`): shown once, stored hashed. */
  credential: string;
  signing_keys: SigningKeyInfo[];
  state: NodeState;
}

export const StatusReport = z
  .object({
    applied_revision: z.number().int().nonnegative(),
    ruleset_hash: z.string().max(128).nullable().default(null),
    peer_count: z.number().int().nonnegative(),
    mode: z.enum(NODE_MODES),
    errors: z.array(z.string().max(2000)).max(50).default([]),
    agent_version: z.string().max(64).optional(),
  })
  .strict();
export type StatusReport = z.infer<typeof StatusReport>;
