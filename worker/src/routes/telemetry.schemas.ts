import { z } from "@hono/zod-openapi";

/** Query parameters shared by the telemetry listings, the stats and the audit log. */
export const rfc3339 = z.iso.datetime({ offset: true, error: "must be an RFC 3339 date-time" });

/** A whole number in a query string, within [min, max]. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, "must be a whole number")
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

export const queryBool = z
  .enum(["true", "false"], { error: "must be true or false" })
  .transform((v) => v === "true");

export const MAX_LIMIT = 1000;

export const pageFields = {
  limit: queryInt(1, MAX_LIMIT)
    .optional()
    .openapi({ description: `Rows per page, 1–${MAX_LIMIT} (default 100)`, type: "string" }),
  cursor: z
    .string()
    .max(512, "too long")
    .optional()
    .openapi({ description: "`next_cursor` of the previous page" }),
};

export const timeRangeFields = {
  from: rfc3339.optional().openapi({ description: "Inclusive lower bound (RFC 3339)" }),
  to: rfc3339.optional().openapi({ description: "Exclusive upper bound (RFC 3339)" }),
};

export const scopeFields = {
  app: z
    .string()
    .min(1, "must not be empty")
    .max(200, "too long")
    .optional()
    .openapi({ description: "App id or slug (the batches' `app_id`)" }),
  node: z.uuid({ error: "must be a UUID" }).optional().openapi({ description: "Node id" }),
  ...timeRangeFields,
};

export const processFields = {
  pid: queryInt(0, 4_294_967_295).optional().openapi({ type: "string", description: "Process id" }),
  comm: z.string().min(1).max(64, "too long").optional().openapi({ description: "Process name" }),
};

/** Refuses `to` at or before `from` (names `query.to`). */
export function rangeIsOrdered(
  q: { from?: string | undefined; to?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (q.from !== undefined && q.to !== undefined && Date.parse(q.from) >= Date.parse(q.to)) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
  }
}

const eventBase = {
  id: z.number().int(),
  app_id: z.uuid(),
  node_id: z.uuid().nullable(),
  batch_id: z.string(),
  timestamp: z.string().openapi({ description: "RFC 3339, microseconds, UTC" }),
};

interface BaseRow {
  id: number;
  appId: string;
  nodeId: string | null;
  batchId: string;
  ts: string;
}

const toBase = (r: BaseRow) => ({
  id: r.id,
  app_id: r.appId,
  node_id: r.nodeId,
  batch_id: r.batchId,
  timestamp: r.ts,
});

export const SyscallEvent = z
  .object({
    ...eventBase,
    syscall_name: z.string(),
    syscall_num: z.number().int().nullable(),
    pid: z.number().int(),
    comm: z.string(),
    args: z.string().nullable(),
    return_value: z.number().int().nullable(),
    success: z.boolean(),
  })
  .openapi("SyscallEvent");

export const toSyscallEvent = (
  r: BaseRow & {
    syscallName: string;
    syscallNum: number | null;
    pid: number;
    comm: string;
    args: string | null;
    returnValue: number | null;
    success: boolean;
  },
): z.infer<typeof SyscallEvent> => ({
  ...toBase(r),
  syscall_name: r.syscallName,
  syscall_num: r.syscallNum,
  pid: r.pid,
  comm: r.comm,
  args: r.args,
  return_value: r.returnValue,
  success: r.success,
});

export const NetworkEvent = z
  .object({
    ...eventBase,
    direction: z.enum(["inbound", "outbound"]),
    protocol: z.enum(["tcp", "udp", "icmp"]),
    dst_ip: z.string(),
    dst_port: z.number().int().nullable(),
    dns_query: z.string().nullable(),
    bytes_sent: z.number().int().nullable(),
    bytes_recv: z.number().int().nullable(),
    action: z.enum(["allowed", "denied", "blocked"]),
    pid: z.number().int().nullable(),
    comm: z.string().nullable(),
  })
  .openapi("NetworkEvent");

export const toNetworkEvent = (
  r: BaseRow & {
    direction: "inbound" | "outbound";
    protocol: "tcp" | "udp" | "icmp";
    dstIp: string;
    dstPort: number | null;
    dnsQuery: string | null;
    bytesSent: number | null;
    bytesRecv: number | null;
    action: "allowed" | "denied" | "blocked";
    pid: number | null;
    comm: string | null;
  },
): z.infer<typeof NetworkEvent> => ({
  ...toBase(r),
  direction: r.direction,
  protocol: r.protocol,
  dst_ip: r.dstIp,
  dst_port: r.dstPort,
  dns_query: r.dnsQuery,
  bytes_sent: r.bytesSent,
  bytes_recv: r.bytesRecv,
  action: r.action,
  pid: r.pid,
  comm: r.comm,
});

export const FILE_OPERATIONS = [
  "read",
  "write",
  "open",
  "create",
  "delete",
  "rename",
  "chmod",
  "exec",
] as const;

export const FileEvent = z
  .object({
    ...eventBase,
    path: z.string(),
    operation: z.enum(FILE_OPERATIONS),
    pid: z.number().int(),
    comm: z.string(),
    success: z.boolean(),
  })
  .openapi("FileEvent");

export const toFileEvent = (
  r: BaseRow & {
    path: string;
    operation: (typeof FILE_OPERATIONS)[number];
    pid: number;
    comm: string;
    success: boolean;
  },
): z.infer<typeof FileEvent> => ({
  ...toBase(r),
  path: r.path,
  operation: r.operation,
  pid: r.pid,
  comm: r.comm,
  success: r.success,
});

/** `{events, next_cursor}` for one kind of event. */
export const pageOf = <T extends z.ZodType>(event: T) =>
  z.object({
    events: z.array(event),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `cursor` for the next page; null on the last page" }),
  });
