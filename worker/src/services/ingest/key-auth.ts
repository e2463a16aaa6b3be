import { and, eq, isNull } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { apiKeys } from "@tether/schema/tables";
import type { AppEnv } from "../../context.ts";
import type { Env } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { bearerToken } from "../../middleware/auth.ts";
import { constantTimeEqual, hashToken, TOKEN_PREFIX } from "../tokens.ts";
import type { RateDecision } from "./fixed-window.ts";

export type IngestKeyRow = typeof apiKeys.$inferSelect;

declare module "hono" {
  interface ContextVariableMap {
    ingestKey: IngestKeyRow;
  }
}

/** Requests per minute of a key created without `rate_limit_per_minute`. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** The ingest key of a request: `Authorization: Bearer …`, else `X-API-Key`. */
function presentedKey(authorization: string | undefined, apiKey: string | undefined) {
  const token = bearerToken(authorization) ?? apiKey?.trim();
  if (!token) {
    throw new ApiError(
      "unauthorized",
      "an ingest key is required: Authorization: Bearer tk_ingest_… or X-API-Key: tk_ingest_…",
    );
  }
  if (!token.startsWith(TOKEN_PREFIX.ingest)) {
    throw new ApiError("unauthorized", "this route takes an ingest key (tk_ingest_…)");
  }
  return token;
}

/**
 * Accepts an ingest key (`tk_ingest_…`): 401 when it is missing, unknown,
 * revoked or expired; 429 with `Retry-After` past its requests per minute.
 * Which app the key may write for is checked once the batch names its app.
 */
export const requireIngestKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const hash = await hashToken(
    presentedKey(c.req.header("authorization"), c.req.header("x-api-key")),
  );
  const { db, now } = c.var.services;
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), eq(apiKeys.kind, "ingest"), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!key || !constantTimeEqual(key.keyHash, hash)) {
    throw new ApiError("unauthorized", "the ingest key is unknown or revoked");
  }
  const at = now();
  if (key.expiresAt && key.expiresAt.getTime() <= at.getTime()) {
    throw new ApiError("token_expired", "the ingest key has expired");
  }
  const limit = key.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  const decision = await hitRateLimit(c.var.env, key.id, limit);
  if (!decision.allowed) {
    throw new ApiError(
      "rate_limited",
      `this ingest key may send ${limit} requests per minute; retry in ${decision.retryAfterSeconds} s`,
      { limit_per_minute: limit, retry_after_seconds: decision.retryAfterSeconds },
      { "retry-after": String(decision.retryAfterSeconds) },
    );
  }
  if (decision.windowStarted) {
    // Once a minute at most: the listing's "last used" without a write per batch.
    await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, key.id));
  }
  c.set("ingestKey", key);
  await next();
};

async function hitRateLimit(env: Env, keyId: string, limit: number): Promise<RateDecision> {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(keyId)).hit(limit);
}
