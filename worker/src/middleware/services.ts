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

/**
 * Bindings objects already validated. A bindings object does not change
 * while it lives, so when the runtime hands several requests the same one
 * it is validated once, not on every request.
 */
const validated = new WeakMap<object, Env>();

/** The bindings, validated: a missing or malformed one is a 500 `config_invalid` naming it. */
export function validatedEnv(raw: object | undefined): Env {
  const bindings = raw ?? {};
  const known = validated.get(bindings);
  if (known) return known;
  const parsed = EnvSchema.safeParse(bindings);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error.issues, "env");
    throw new ApiError(
      "config_invalid",
      `the Worker is misconfigured: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`,
      issues,
    );
  }
  validated.set(bindings, parsed.data);
  return parsed.data;
}

/** Validates the bindings, then provides `c.var.env` and `c.var.services`. */
export function provideServices(factory: ServicesFactory): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const env = validatedEnv(c.env as object | undefined);
    const { services, close } = factory(env);
    c.set("env", env);
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
