import { and, eq, isNull } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { apiKeys } from "@tether/schema/tables";
import type { AppEnv, Scope } from "../context.ts";
import { ApiError } from "../errors.ts";
import { constantTimeEqual, hashToken, TOKEN_PREFIX } from "../services/tokens.ts";

/** Reads `Authorization: Bearer <token>`; undefined when absent. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    throw new ApiError("unauthorized", "the Authorization header must be `Bearer <token>`");
  }
  return match[1];
}

/**
 * Accepts admin API keys (`tk_admin_…`). 401 when the key is missing,
 * unknown, revoked or expired; 403 when it lacks `scope`. `admin` implies
 * `read`.
 */
export function requireAdmin(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      throw new ApiError(
        "unauthorized",
        "an admin API key is required: Authorization: Bearer tk_admin_…",
      );
    }
    if (!token.startsWith(TOKEN_PREFIX.admin)) {
      throw new ApiError("unauthorized", "this route takes an admin API key (tk_admin_…)");
    }
    const hash = await hashToken(token);
    const { db, now } = c.var.services;
    const [key] = await db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, hash), eq(apiKeys.kind, "admin"), isNull(apiKeys.revokedAt)))
      .limit(1);
    if (!key || !constantTimeEqual(key.keyHash, hash)) {
      throw new ApiError("unauthorized", "the API key is unknown or revoked");
    }
    if (key.expiresAt && key.expiresAt.getTime() <= now().getTime()) {
      throw new ApiError("token_expired", "the API key has expired");
    }
    const scopes = key.scopes as Scope[];
    const granted = scopes.includes("admin") || scopes.includes(scope);
    if (!granted) {
      throw new ApiError(
        "forbidden",
        `this route needs the "${scope}" scope; the key has [${scopes.join(", ")}]`,
        {
          required_scope: scope,
          key_scopes: scopes,
        },
      );
    }
    c.set("principal", { kind: "api_key", keyId: key.id, orgId: key.orgId, scopes });
    await next();
  };
}
