import { z } from "zod";
import { LOG_LEVELS } from "../log.ts";
import { TRANSPORTS } from "../stream/transports.ts";
import { TelemetryConfigSchema } from "./telemetry.ts";

/**
 * Every setting of `tether-agent run`, with its default. The config file uses
 * these names; env vars are `TETHER_` + the name in upper case; flags are the
 * name with dashes (`data_dir` → `--data-dir`, `TETHER_DATA_DIR`).
 */
export const AgentConfigSchema = z
  .object({
    /** Control plane URL; defaults to the one stored by `join`. */
    server: z
      .string()
      .refine(
        (s) => /^https?:\/\/[^\s/]+/.test(s),
        "must be an http(s) URL, e.g. https://tether.example.com",
      )
      .optional(),
    data_dir: z.string().min(1, "must not be empty").default("/var/lib/tether"),
    interface: z
      .string()
      .regex(
        /^[A-Za-z0-9_.-]{1,15}$/,
        "must be 1-15 letters, digits, '_', '.' or '-' (a Linux interface name)",
      )
      .default("tether0"),
    listen_port: z
      .number("must be an integer from 1 to 65535")
      .int("must be an integer from 1 to 65535")
      .min(1, "must be an integer from 1 to 65535")
      .max(65535, "must be an integer from 1 to 65535")
      .default(51820),
    /**
     * The event stream's transport: `websocket` (acks go up the same
     * socket), `sse` (acks through POST /status), or `auto` (WebSocket, and
     * SSE when the server or a proxy does not upgrade).
     */
    transport: z.enum(TRANSPORTS, `must be one of ${TRANSPORTS.join(", ")}`).default("auto"),
    /** Seconds without any byte on the event stream (keep-alives included) before reconnecting. */
    idle_timeout: seconds(1, 3600).default(45),
    /** Seconds between periodic reconciles (drift repair). */
    reconcile_interval: seconds(1, 86_400).default(30),
    /** Seconds an event's `issued_at` may lie in the past. */
    stale_window: seconds(1, 86_400).default(300),
    heartbeat_interval: seconds(5, 86_400).default(60),
    /** On SIGTERM: remove the table and interface (true) or keep enforcing (false). */
    teardown_on_exit: z.boolean("must be true or false").default(false),
    log_level: z
      .enum(LOG_LEVELS as [string, ...string[]], `must be one of ${LOG_LEVELS.join(", ")}`)
      .default("info"),
    /**
     * The local OPA-compatible endpoint for sandbox enforcers: a unix socket
     * (mode 0660; `off` for none) and/or a port on 127.0.0.1 (none by default).
     */
    opa_socket: z
      .string()
      .refine((s) => s === "off" || s.startsWith("/"), "must be an absolute path, or off")
      .default("/run/tether/opa.sock"),
    opa_port: z
      .number("must be an integer from 1 to 65535")
      .int("must be an integer from 1 to 65535")
      .min(1, "must be an integer from 1 to 65535")
      .max(65535, "must be an integer from 1 to 65535")
      .optional(),
    /** Run every command inside this network namespace (tests, containers). */
    netns: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be a network namespace name")
      .optional(),
    /** The telemetry shipper (off when absent); a JSON object in env and flags. */
    telemetry: TelemetryConfigSchema.optional(),
  })
  .strict();

export type AgentConfig = z.output<typeof AgentConfigSchema>;

function seconds(min: number, max: number) {
  const msg = `must be a whole number of seconds from ${min} to ${max}`;
  return z.number(msg).int(msg).min(min, msg).max(max, msg);
}

/** Setting names and their kinds, for coercing env and flag strings. */
export const SETTING_KINDS: Record<keyof AgentConfig, "string" | "number" | "boolean" | "json"> = {
  server: "string",
  data_dir: "string",
  interface: "string",
  listen_port: "number",
  transport: "string",
  idle_timeout: "number",
  reconcile_interval: "number",
  stale_window: "number",
  heartbeat_interval: "number",
  teardown_on_exit: "boolean",
  log_level: "string",
  opa_socket: "string",
  opa_port: "number",
  netns: "string",
  telemetry: "json",
};
