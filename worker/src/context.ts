import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Bindings, Env } from "./env.ts";
import type { Database } from "./services/db.ts";
import type { WasmRunner } from "./services/governance/wasm/runner.ts";
import type { HubClient } from "./services/hub-client.ts";

/** Who is calling, once the auth middleware has accepted an admin key. */
export interface AdminPrincipal {
  kind: "api_key";
  keyId: string;
  orgId: string;
  scopes: readonly Scope[];
}

export type Scope = "admin" | "read";

/** Services reach handlers through the context, each swappable in tests. */
export interface Services {
  db: Database;
  hub: HubClient;
  now(): Date;
  random(n: number): Uint8Array;
  /** Evaluates compiled Wasm policies (Dynamic Workers in the real Worker). */
  wasm: WasmRunner;
}

export interface AppVariables {
  requestId: string;
  env: Env;
  services: Services;
  principal: AdminPrincipal;
}

export type AppEnv = { Bindings: Bindings; Variables: AppVariables };
export type App = OpenAPIHono<AppEnv>;
