import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { enrollmentTokens, nodes, orgs } from "@tether/schema/tables";
import { RegisterRequest } from "@tether/schema/wire";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { bearerToken } from "../middleware/auth.ts";
import { allocateMeshIp } from "../services/mesh/ip-allocation.ts";
import { readNodeState } from "../services/mesh/read-state.ts";
import { meshWrite } from "../services/mesh/write.ts";
import { generateToken, hashToken, TOKEN_PREFIX } from "../services/tokens.ts";
import { NodeStateSchema, SigningKeyInfoSchema } from "./agent.schemas.ts";
import { errorResponses } from "./common.ts";

const Registered = z
  .object({
    node_id: z.uuid(),
    mesh_ip: z.string(),
    mesh_cidr: z.string(),
    credential: z.string().openapi({ description: "Node credential (tk_node_…), shown once" }),
    signing_keys: z.array(SigningKeyInfoSchema),
    state: NodeStateSchema,
  })
  .openapi("Registered");

const route = createRoute({
  method: "post",
  path: "/v1/register",
  summary:
    "Enroll a machine: enrollment token + WireGuard public key → node id, mesh IP, credential, state",
  description:
    "The enrollment token goes in `Authorization: Bearer tk_enroll_…` (or the body's `token`). A used one-time token answers 401 `token_used`, an expired one 401 `token_expired`.",
  security: [{ EnrollmentToken: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: RegisterRequest } } },
  },
  responses: {
    201: { description: "Enrolled", content: { "application/json": { schema: Registered } } },
    409: {
      ...errorResponses[400],
      description: "The public key is enrolled already, or the mesh CIDR is full",
    },
    ...errorResponses,
  },
});

type TokenRow = typeof enrollmentTokens.$inferSelect;

/** Why a token cannot enroll now, or null when it can. */
function tokenRefusal(t: TokenRow, now: Date): ApiError | null {
  if (t.revokedAt) return new ApiError("unauthorized", "the enrollment token was revoked");
  if (t.expiresAt <= now) return new ApiError("token_expired", "the enrollment token has expired");
  if (!t.reusable && t.uses > 0)
    return new ApiError("token_used", "the one-time enrollment token was used already");
  if (t.maxUses !== null && t.uses >= t.maxUses) {
    return new ApiError(
      "token_used",
      `the enrollment token reached its limit of ${t.maxUses} uses`,
    );
  }
  return null;
}

export function registerRegister(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const token = bearerToken(c.req.header("authorization")) ?? body.token;
    if (!token) throw new ApiError("unauthorized", "an enrollment token is required (tk_enroll_…)");
    if (!token.startsWith(TOKEN_PREFIX.enroll)) {
      throw new ApiError("unauthorized", "this route takes an enrollment token (tk_enroll_…)");
    }
    const { db, now, random } = c.var.services;
    const tokenHash = await hashToken(token);
    const [found] = await db
      .select()
      .from(enrollmentTokens)
      .where(eq(enrollmentTokens.tokenHash, tokenHash));
    if (!found) throw new ApiError("unauthorized", "unknown enrollment token");
    const refusal = tokenRefusal(found, now());
    if (refusal) throw refusal;

    const credential = generateToken("node", random);
    const credentialHash = await hashToken(credential);
    const { result: node } = await meshWrite(
      c,
      found.orgId,
      { type: "system", id: null },
      async ({ tx, before, at }) => {
        // Re-read under the org lock: concurrent registrations see each other's uses and addresses.
        const [t] = await tx
          .select()
          .from(enrollmentTokens)
          .where(eq(enrollmentTokens.id, found.id));
        const again = t
          ? tokenRefusal(t, at)
          : new ApiError("unauthorized", "unknown enrollment token");
        if (again) throw again;
        if (before.nodes.all.some((n) => n.publicKey === body.public_key)) {
          throw new ApiError(
            "conflict",
            "a node with this WireGuard public key is enrolled already",
          );
        }
        const [org] = await tx
          .select({ meshCidr: orgs.meshCidr })
          .from(orgs)
          .where(eq(orgs.id, found.orgId));
        const meshIp = allocateMeshIp(
          org!.meshCidr,
          before.nodes.all.map((n) => n.meshIp),
        );
        if (!meshIp) throw new ApiError("conflict", `the org's mesh CIDR ${org!.meshCidr} is full`);
        const [created] = await tx
          .insert(nodes)
          .values({
            orgId: found.orgId,
            name: body.name ?? body.hostname,
            hostname: body.hostname,
            publicKey: body.public_key,
            meshIp,
            endpoint: body.endpoint ?? null,
            groups: t!.groups,
            credentialHash,
            enrollmentTokenId: t!.id,
            lastSeenAt: at,
            createdAt: at,
            updatedAt: at,
          })
          .returning();
        await tx
          .update(enrollmentTokens)
          .set({ uses: sql`${enrollmentTokens.uses} + 1` })
          .where(and(eq(enrollmentTokens.id, t!.id)));
        const shown = {
          id: created!.id,
          name: created!.name,
          hostname: created!.hostname,
          mesh_ip: meshIp,
          public_key: body.public_key,
          groups: created!.groups,
        };
        return {
          result: created!,
          audit: {
            action: "node.register",
            targetType: "node",
            targetId: created!.id,
            before: null,
            after: shown,
          },
          changed: { nodes: [created!.id] },
        };
      },
    );
    const state = await readNodeState(db, node.orgId, node.id, now());
    return c.json(
      {
        node_id: node.id,
        mesh_ip: node.meshIp,
        mesh_cidr: state.node.mesh_cidr,
        credential,
        signing_keys: state.signing_keys,
        state,
      },
      201,
    );
  });
}
