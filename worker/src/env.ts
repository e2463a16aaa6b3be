import { z } from "zod";

/**
 * The Worker's bindings, validated at the fetch boundary (once per bindings
 * object, see middleware/services.ts).
 * A missing or malformed setting answers 500 `config_invalid` naming it.
 */
export const EnvSchema = z.object({
  /** Postgres connection string (Neon in production). */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string"),
  /**
   * Local development only: `host:port` of the WebSocket-to-TCP proxy in
   * front of a plain Postgres (dev/ws-proxy.ts). Unset on Cloudflare + Neon.
   */
  DB_WS_PROXY: z
    .string()
    .regex(/^[\w.-]+:\d+$/, "must be host:port")
    .optional(),
  /** Secret that encrypts the orgs' signing keys at rest (≥ 32 characters). */
  SIGNING_KEY_SECRET: z.string().min(32, "must be at least 32 characters"),
  /**
   * Optional one-time bootstrap secret: `POST /api/bootstrap` with it creates
   * the first org and admin key while the database has no org yet.
   */
  BOOTSTRAP_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  /** The Hub Durable Object namespace (wrangler.toml `HUB`). */
  HUB: z.custom<DurableObjectNamespace<import("./hub/hub.ts").Hub>>(
    (v) => typeof v === "object" && v !== null && "idFromName" in v,
    "must be the Hub Durable Object namespace binding",
  ),
  /** The ingest keys' rate limiters (wrangler.toml `RATE_LIMITER`), one per key. */
  RATE_LIMITER: z.custom<
    DurableObjectNamespace<import("./services/ingest/rate-limiter.ts").RateLimiter>
  >(
    (v) => typeof v === "object" && v !== null && "idFromName" in v,
    "must be the RateLimiter Durable Object namespace binding",
  ),
  /**
   * The Dynamic Worker loader (wrangler.toml `worker_loaders`) that runs
   * compiled Wasm policies. Without it, Wasm policy routes answer 500
   * `config_invalid`; everything else works.
   */
  LOADER: z
    .custom<WorkerLoader>(
      (v) => typeof v === "object" && v !== null && "get" in v,
      "must be the Worker Loader binding (wrangler.toml worker_loaders)",
    )
    .optional(),
  /** Largest accepted Wasm policy module in bytes (default 512 KiB; sent base64 within MAX_BODY_BYTES). */
  MAX_WASM_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024),
  /** Agent events are kept this many days for resume (older: snapshot_required). */
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** Largest accepted request body in bytes (default 1 MiB). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
});

export type Env = z.infer<typeof EnvSchema>;

/** Bindings as Cloudflare passes them (strings, plus objects such as DO namespaces). */
export type Bindings = Record<string, unknown>;
