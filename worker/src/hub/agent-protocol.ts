import { StatusReport } from "@tether/schema/wire";
import { z } from "zod";

/**
 * The WebSocket transport of the agent protocol (DESIGN.md §6). Downstream,
 * every message is exactly one event in SSE framing (`id:`/`event:`/`data:`
 * lines and a blank line), so both transports carry the same bytes and the
 * agent parses them with the same parser. Upstream, the agent sends JSON:
 *
 *   {"type":"status","id":"<correlation id>","report":{…StatusReport}}
 *
 * and gets `event: status_ack` with `{id, desired_revision, stale}` once the
 * report is durable, or `event: status_error` with `{id, code, message}`.
 * An agent answers the Hub's `ping` event with
 *
 *   {"type":"pong","id":"<the ping's id>"}
 *
 * and gets `event: pong_ack` with `{id, recorded}` (see `GET /api/hub/pings/{id}`).
 * The text `ping` is answered `pong` without waking a hibernated Hub.
 */
export const AgentMessage = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("status"),
      id: z.string().min(1).max(64),
      report: StatusReport,
    })
    .strict(),
  z
    .object({
      type: z.literal("pong"),
      id: z.string().min(1).max(64),
    })
    .strict(),
]);
export type AgentMessage = z.infer<typeof AgentMessage>;

export type ParsedAgentMessage =
  | { ok: true; message: AgentMessage }
  | { ok: false; id: string | null; message: string };

/** Parses one upstream message; a bad one is named, never thrown. */
export function parseAgentMessage(raw: string | ArrayBuffer): ParsedAgentMessage {
  if (typeof raw !== "string") return { ok: false, id: null, message: "expected a text message" };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, id: null, message: "malformed JSON" };
  }
  const parsed = AgentMessage.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const id = (json as { id?: unknown } | null)?.id;
  const issue = parsed.error.issues[0]!;
  return {
    ok: false,
    id: typeof id === "string" ? id.slice(0, 64) : null,
    message: `${issue.path.join(".") || "message"}: ${issue.message}`,
  };
}

export function statusAckFrame(
  id: string,
  result: { desired_revision: number; stale: boolean },
): string {
  return `event: status_ack\ndata: ${JSON.stringify({ id, ...result })}\n\n`;
}

export function statusErrorFrame(
  id: string | null,
  code: "validation_failed" | "unavailable" | "unauthorized",
  message: string,
): string {
  return `event: status_error\ndata: ${JSON.stringify({ id, code, message })}\n\n`;
}

export function pongAckFrame(id: string, recorded: boolean): string {
  return `event: pong_ack\ndata: ${JSON.stringify({ id, recorded })}\n\n`;
}

/** The keep-alive exchange the Hub answers without waking up. */
export const KEEPALIVE = { request: "ping", response: "pong" } as const;
