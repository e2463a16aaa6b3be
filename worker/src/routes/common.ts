import { z } from "@hono/zod-openapi";

/** The error envelope every failure uses (see errors.ts). */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed" }),
      message: z.string(),
      details: z.unknown(),
      request_id: z.string(),
    }),
  })
  .openapi("Error");

const errorContent = { content: { "application/json": { schema: ErrorResponse } } };

/** Standard error responses for an authenticated JSON route. */
export const errorResponses = {
  400: { description: "Invalid request: `details` lists each field and why", ...errorContent },
  401: { description: "Missing, unknown, revoked or expired credential", ...errorContent },
  403: { description: "The credential lacks the needed scope", ...errorContent },
  404: { description: "No such resource in this org", ...errorContent },
  413: { description: "Body too large", ...errorContent },
  415: { description: "Body is not JSON", ...errorContent },
} as const;

export const UuidParam = z.object({
  id: z.uuid({ error: "must be a UUID" }).openapi({ param: { name: "id", in: "path" } }),
});

/** OpenAPI 3.1 security requirement naming the scope a route needs (the shared security suite reads it). */
export const adminSecurity = (scope: "admin" | "read") => [{ AdminKey: [scope] }];

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
