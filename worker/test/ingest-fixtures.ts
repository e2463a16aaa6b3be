import { SELF } from "cloudflare:test";
import {
  fileAccessEvents,
  ingestBatches,
  networkEvents,
  syscallEvents,
} from "@tether/schema/tables";
import { and, count, eq } from "drizzle-orm";
import { api, newOrg, type TestOrg, testDatabase } from "./fixtures.ts";

export interface IngestApp {
  org: TestOrg;
  appId: string;
  slug: string;
  key: string;
  keyId: string;
}

/** An org with one app and an ingest key for it. */
export async function ingestApp(
  opts: { org?: TestOrg; slug?: string; rateLimitPerMinute?: number } = {},
): Promise<IngestApp> {
  const org = opts.org ?? (await newOrg());
  const slug = opts.slug ?? `app-${crypto.randomUUID().slice(0, 8)}`;
  const created = await api("POST", "/api/apps", {
    key: org.adminKey,
    body: { slug, name: slug },
  });
  if (created.status !== 201) throw new Error(`app: ${JSON.stringify(created.body)}`);
  const key = await api("POST", `/api/apps/${created.body.id}/keys`, {
    key: org.adminKey,
    body: {
      name: "shipper",
      rate_limit_per_minute: opts.rateLimitPerMinute ?? 1_000_000,
    },
  });
  if (key.status !== 201) throw new Error(`key: ${JSON.stringify(key.body)}`);
  return { org, appId: created.body.id, slug, key: key.body.key, keyId: key.body.id };
}

export const syscall = (i = 0) => ({
  syscall_name: "openat",
  syscall_num: 257,
  pid: 1000 + i,
  comm: "python",
  args: "/etc/passwd",
  return_value: 3,
  success: true,
  timestamp: "2026-02-21T08:00:00Z",
});

export const network = (i = 0) => ({
  direction: "outbound",
  protocol: "tcp",
  dst_ip: "93.184.216.34",
  dst_port: 443,
  dns_query: "example.com",
  bytes_sent: 256 + i,
  bytes_recv: 1024,
  action: "allowed",
  timestamp: "2026-02-21T08:00:02Z",
});

export const file = (i = 0) => ({
  path: `/etc/file-${i}`,
  operation: "read",
  pid: 1234,
  comm: "python",
  success: true,
  timestamp: "2026-02-21T08:00:00Z",
});

/** The ADR 005 example batch (n events of each kind). */
export function batch(slug: string, n = 1, extra: Record<string, unknown> = {}) {
  return {
    app_id: slug,
    syscall_events: Array.from({ length: n }, (_, i) => syscall(i)),
    network_events: Array.from({ length: n }, (_, i) => network(i)),
    file_events: Array.from({ length: n }, (_, i) => file(i)),
    ...extra,
  };
}

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * POST /api/telemetry/ingest; `gzip` compresses the body. `fetch` replaces
 * `SELF.fetch` (the fuzz test calls the Worker's handler directly).
 */
export async function ingest(
  key: string,
  body: unknown,
  opts: {
    gzip?: boolean;
    headers?: Record<string, string>;
    fetch?: (request: Request) => Promise<Response>;
  } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of many shapes
): Promise<{ status: number; body: any; headers: Headers }> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
    ...(opts.gzip ? { "content-encoding": "gzip" } : {}),
    ...opts.headers,
  };
  const request = new Request("http://tether.test/api/telemetry/ingest", {
    method: "POST",
    headers,
    body: opts.gzip ? await gzip(text) : text,
  });
  const res = await (opts.fetch ?? ((r: Request) => SELF.fetch(r)))(request);
  const raw = await res.text();
  let parsed: unknown = raw;
  try {
    parsed = raw ? JSON.parse(raw) : null;
  } catch {
    // Not JSON.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Rows stored for the org (optionally one batch), per table. */
export async function storedRows(orgId: string, batchId?: string) {
  const { db, close } = testDatabase();
  try {
    const n = async (
      table: typeof syscallEvents | typeof networkEvents | typeof fileAccessEvents,
    ) => {
      const [row] = await db
        .select({ n: count() })
        .from(table)
        .where(and(eq(table.orgId, orgId), batchId ? eq(table.batchId, batchId) : undefined));
      return row?.n ?? 0;
    };
    const [batches] = await db
      .select({ n: count() })
      .from(ingestBatches)
      .where(
        and(
          eq(ingestBatches.orgId, orgId),
          batchId ? eq(ingestBatches.batchId, batchId) : undefined,
        ),
      );
    return {
      syscall_events: await n(syscallEvents),
      network_events: await n(networkEvents),
      file_events: await n(fileAccessEvents),
      batches: batches?.n ?? 0,
    };
  } finally {
    await close();
  }
}
