import { createRoute, z } from "@hono/zod-openapi";
import { networkEvents } from "@tether/schema/tables";
import { eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { listPage } from "../services/telemetry/query.ts";
import { adminSecurity, errorResponses } from "./common.ts";
import {
  NetworkEvent,
  pageFields,
  pageOf,
  processFields,
  queryInt,
  rangeIsOrdered,
  scopeFields,
  toNetworkEvent,
} from "./telemetry.schemas.ts";

const KIND = "network";
const ACTIONS = ["allowed", "denied", "blocked"] as const;
const PROTOCOLS = ["tcp", "udp", "icmp"] as const;
const DIRECTIONS = ["inbound", "outbound"] as const;

const Query = z
  .object({
    ...scopeFields,
    ...processFields,
    dst: z
      .union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" })
      .optional()
      .openapi({ description: "Destination IP address" }),
    dst_port: queryInt(0, 65535)
      .optional()
      .openapi({ type: "string", description: "Destination port" }),
    dns: z
      .string()
      .min(1)
      .max(253, "too long")
      .optional()
      .openapi({ description: "Exact DNS name queried" }),
    protocol: z.enum(PROTOCOLS, { error: `must be one of ${PROTOCOLS.join(", ")}` }).optional(),
    direction: z.enum(DIRECTIONS, { error: `must be one of ${DIRECTIONS.join(", ")}` }).optional(),
    action: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(", ")}` }).optional(),
    ...pageFields,
  })
  .strict()
  .superRefine(rangeIsOrdered);

const route = createRoute({
  method: "get",
  path: "/api/telemetry/network",
  summary: "List network events, newest first, with keyset pagination",
  security: adminSecurity("read"),
  middleware: [requireAdmin("read")] as const,
  request: { query: Query },
  responses: {
    200: {
      description: "One page of events, by (timestamp, id) descending",
      content: { "application/json": { schema: pageOf(NetworkEvent) } },
    },
    ...errorResponses,
  },
});

export function registerListNetworkEvents(app: App): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const t = networkEvents;
    const page = await listPage(c.var.services.db, t, KIND, c.var.principal.orgId, q, [
      // Text equality: a cast of the stored column to inet would fail the whole query on one odd row.
      q.dst === undefined ? undefined : eq(t.dstIp, q.dst),
      q.dst_port === undefined ? undefined : eq(t.dstPort, q.dst_port),
      q.dns === undefined ? undefined : eq(t.dnsQuery, q.dns),
      q.protocol === undefined ? undefined : eq(t.protocol, q.protocol),
      q.direction === undefined ? undefined : eq(t.direction, q.direction),
      q.action === undefined ? undefined : eq(t.action, q.action),
    ]);
    return c.json({ events: page.rows.map(toNetworkEvent), next_cursor: page.nextCursor }, 200);
  });
}
