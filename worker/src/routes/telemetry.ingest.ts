import { createRoute, z } from "@hono/zod-openapi";
import { apps, nodes } from "@tether/schema/tables";
import { BATCH_ID, BATCH_ID_RULE, MAX_EVENTS_PER_BATCH, TelemetryBatch } from "@tether/schema/wire";
import { and, eq } from "drizzle-orm";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { toHex } from "../services/base64.ts";
import { MAX_DECOMPRESSED_BYTES, readJsonBody } from "../services/ingest/body.ts";
import { requireIngestKey } from "../services/ingest/key-auth.ts";
import { storeBatch } from "../services/ingest/store.ts";
import { validateBatch } from "../services/ingest/validate.ts";
import { errorResponses } from "./common.ts";

const Accepted = z
  .object({
    batch_id: z.string(),
    accepted: z.object({
      syscall_events: z.number().int(),
      network_events: z.number().int(),
      file_events: z.number().int(),
    }),
    duplicate: z.boolean().openapi({
      description: "True when this batch id was stored before: nothing was stored this time",
    }),
  })
  .openapi("IngestResult");

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const route = createRoute({
  method: "post",
  path: "/api/telemetry/ingest",
  summary: "Ingest a batch of syscall, network and file events (ADR 005)",
  description: `The whole batch is validated before anything is written, then stored in one transaction or not at all. JSON, or gzip JSON with \`Content-Encoding: gzip\` (at most ${MAX_DECOMPRESSED_BYTES} bytes decompressed). At most ${MAX_EVENTS_PER_BATCH} events per batch (413 beyond). A repeated \`batch_id\` (or \`Idempotency-Key\` header) stores nothing and answers the first result with \`duplicate: true\`. Each ingest key has a request budget per minute (429 with \`Retry-After\` past it).`,
  security: [{ IngestKey: [] }],
  middleware: [requireIngestKey] as const,
  request: {
    headers: z.object({
      "idempotency-key": z
        .string()
        .optional()
        .openapi({ description: "The batch id, when the body carries none" }),
    }),
    body: {
      required: true,
      // A reference, not a zod schema: the handler reads the body itself (gzip).
      content: { "application/json": { schema: { $ref: "#/components/schemas/TelemetryBatch" } } },
    },
  },
  responses: {
    200: json(Accepted, "Already stored: the first delivery's result, `duplicate: true`"),
    201: json(Accepted, "Stored"),
    ...errorResponses,
    403: { ...errorResponses[403], description: "The key is not bound to the batch's app" },
    409: { ...errorResponses[400], description: "The batch id belongs to another app's batch" },
    413: {
      ...errorResponses[413],
      description: "Body, decompressed body or event count too large",
    },
    429: { ...errorResponses[400], description: "The key's requests per minute are used up" },
  },
});

export function registerTelemetryIngest(app: App): void {
  app.openAPIRegistry.register("TelemetryBatch", TelemetryBatch);
  app.openapi(route, async (c) => {
    const key = c.var.ingestKey;
    const { db, now, random } = c.var.services;
    const gzip = (c.req.header("content-encoding") ?? "").trim() !== "";
    const body = await readJsonBody(
      c.req.raw,
      gzip ? MAX_DECOMPRESSED_BYTES : c.var.env.MAX_BODY_BYTES,
    );
    const batch = validateBatch(body);
    const batchId = batchIdOf(batch.batch_id, c.req.header("idempotency-key"), random);
    const [app_] = await db
      .select({ id: apps.id })
      .from(apps)
      .where(and(eq(apps.orgId, key.orgId), eq(apps.slug, batch.app_id)))
      .limit(1);
    if (!app_ || !key.appIds.includes(app_.id)) {
      throw new ApiError(
        "forbidden",
        `this ingest key may not write for app "${batch.app_id}" (no such app in the org, or the key is not bound to it)`,
        { app_id: batch.app_id },
      );
    }
    if (batch.node_id !== undefined) {
      const [node] = await db
        .select({ id: nodes.id })
        .from(nodes)
        .where(and(eq(nodes.id, batch.node_id), eq(nodes.orgId, key.orgId)))
        .limit(1);
      if (!node) {
        throw new ApiError("validation_failed", "invalid batch: body.node_id: no such node", [
          { path: "body.node_id", message: "no node with this id in the org" },
        ]);
      }
    }
    const result = await storeBatch(
      db,
      { orgId: key.orgId, appId: app_.id, nodeId: batch.node_id ?? null, keyId: key.id, batchId },
      batch,
      now(),
    );
    return c.json(result, result.duplicate ? 200 : 201);
  });
}

/** The body's `batch_id`, else the `Idempotency-Key` header, else a new random id. */
function batchIdOf(
  fromBody: string | undefined,
  header: string | undefined,
  random: (n: number) => Uint8Array,
): string {
  const fromHeader = header?.trim();
  if (fromHeader !== undefined && !BATCH_ID.test(fromHeader)) {
    throw new ApiError(
      "validation_failed",
      `invalid batch: header.idempotency-key ${BATCH_ID_RULE}`,
      [{ path: "header.idempotency-key", message: BATCH_ID_RULE }],
    );
  }
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
    throw new ApiError("validation_failed", "invalid batch: batch_id and Idempotency-Key differ", [
      { path: "body.batch_id", message: "differs from the Idempotency-Key header" },
    ]);
  }
  return fromBody ?? fromHeader ?? uuidFrom(random(16));
}

/** A version 4 UUID from 16 random bytes. */
function uuidFrom(b: Uint8Array): string {
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = toHex(b);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
