import type { MiddlewareHandler } from "hono";
import type { AppEnv, Services } from "../context.ts";
import { type Env, EnvSchema } from "../env.ts";
import { ApiError, fieldIssues } from "../errors.ts";
import { createDatabase, type DatabaseHandle } from "../services/db.ts";
import { wasmRunnerFor } from "../services/governance/wasm/runner-for-env.ts";
import { hubClient } from "../services/hub-client.ts";
import { cryptoRandom } from "../services/tokens.ts";

/** Builds the services for one request; tests pass their own factory. */
export type ServicesFactory = (env: Env) => { services: Services; close(): Promise<void> };

export const realServices: ServicesFactory = (env) => {
  let handle: DatabaseHandle | undefined;
  const services: Services = {
    // The pool is created on first use, so routes that never query pay nothing.
    get db() {
      handle ??= createDatabase(env);
      return handle.db;
    },
    hub: hubClient(env),
    now: () => new Date(),
    random: cryptoRandom,
    wasm: wasmRunnerFor(env),
  };
  return { services, close: async () => handle?.close() };
};

/** Validates the bindings, then provides `c.var.env` and `c.var.services`. */
export function provideServices(factory: ServicesFactory): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const parsed = EnvSchema.safeParse(c.env ?? {});
    if (!parsed.success) {
      const issues = fieldIssues(parsed.error.issues, "env");
      throw new ApiError(
        "config_invalid",
        `the Worker is misconfigured: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`,
        issues,
      );
    }
    const { services, close } = factory(parsed.data);
    c.set("env", parsed.data);
    c.set("services", services);
    try {
      await next();
    } finally {
      const closing = close().catch(() => {});
      try {
        c.executionCtx.waitUntil(closing);
      } catch {
        // No execution context (in-process tests): the promise settles on its own.
      }
    }
  };
}
