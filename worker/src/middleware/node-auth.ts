import { nodes } from "@tether/schema/tables";
import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import type { Database } from "../services/db.ts";
import { nodeColumns } from "../services/node-row.ts";
import { constantTimeEqual, hashToken, TOKEN_PREFIX } from "../services/tokens.ts";
import { bearerToken } from "./auth.ts";

export type NodeRow = typeof nodes.$inferSelect;

declare module "hono" {
  interface ContextVariableMap {
    node: NodeRow;
    nodeCredentialHash: string;
  }
}

/** The credential's hash, or the 401 for a missing or foreign-looking token. */
export async function nodeCredentialHash(header: string | undefined): Promise<string> {
  const token = bearerToken(header);
  if (!token) {
    throw new ApiError(
      "unauthorized",
      "a node credential is required: Authorization: Bearer tk_node_…",
    );
  }
  if (!token.startsWith(TOKEN_PREFIX.node)) {
    throw new ApiError("unauthorized", "this route takes a node credential (tk_node_…)");
  }
  return hashToken(token);
}

/**
 * Checks the credential's form and keeps its hash, without a database
 * round trip: for routes that authenticate in the same query as their write.
 */
export const requireNodeToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("nodeCredentialHash", await nodeCredentialHash(c.req.header("authorization")));
  await next();
};

/** Node id → org id. A node never changes org, so entries never go stale. */
const orgByNode = new Map<string, string>();

/**
 * The org of a node, from this isolate's memory or one query; undefined if
 * unknown. Takes the services rather than the database so that a hit in
 * memory does not even create the request's database client.
 */
export async function orgOfNode(
  services: { readonly db: Database },
  nodeId: string,
): Promise<string | undefined> {
  const known = orgByNode.get(nodeId);
  if (known) return known;
  const [row] = await services.db
    .select({ orgId: nodes.orgId })
    .from(nodes)
    .where(eq(nodes.id, nodeId))
    .limit(1);
  if (!row) return undefined;
  if (orgByNode.size >= 100_000) orgByNode.clear();
  orgByNode.set(nodeId, row.orgId);
  return row.orgId;
}

/** Why a credential did not match the node in the path: 401 unknown, 403 another node's. */
export async function nodeAuthFailure(db: Database, hash: string): Promise<ApiError> {
  const [owner] = await db
    .select({ id: nodes.id })
    .from(nodes)
    .where(eq(nodes.credentialHash, hash))
    .limit(1);
  return owner
    ? new ApiError("forbidden", "a node credential gives access to that node's own routes only")
    : new ApiError("unauthorized", "the node credential is unknown (was the node deleted?)");
}

/**
 * Accepts a node credential (`tk_node_…`) for `/v1/nodes/{id}/…`: 401 when
 * it is missing or unknown (e.g. the node was deleted), 403 when it belongs
 * to another node than the one in the path.
 */
export const requireNode: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (!token) {
    throw new ApiError(
      "unauthorized",
      "a node credential is required: Authorization: Bearer tk_node_…",
    );
  }
  if (!token.startsWith(TOKEN_PREFIX.node)) {
    throw new ApiError("unauthorized", "this route takes a node credential (tk_node_…)");
  }
  const hash = await hashToken(token);
  const [node] = await c.var.services.db
    .select(nodeColumns)
    .from(nodes)
    .where(eq(nodes.credentialHash, hash))
    .limit(1);
  if (!node || !constantTimeEqual(node.credentialHash, hash)) {
    throw new ApiError("unauthorized", "the node credential is unknown (was the node deleted?)");
  }
  const pathId = c.req.param("id");
  if (pathId !== undefined && pathId !== node.id) {
    throw new ApiError(
      "forbidden",
      "a node credential gives access to that node's own routes only",
    );
  }
  c.set("node", node);
  await next();
};
