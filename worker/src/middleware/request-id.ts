import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";

const VALID = /^[\w.:-]{1,128}$/;

/** Uses the caller's `X-Request-Id` when it is sane, else a new one; echoes it back. */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const given = c.req.header("x-request-id");
  const id = given && VALID.test(given) ? given : crypto.randomUUID();
  c.set("requestId", id);
  c.header("x-request-id", id);
  await next();
};
