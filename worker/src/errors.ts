import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * The closed list of error codes the API answers with, and their statuses.
 * Every error leaves as `{error: {code, message, details, request_id}}`.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  /** A Wasm policy module that does not load with opa-wasm (the reason is in the message). */
  wasm_invalid: 400,
  unauthorized: 401,
  token_expired: 401,
  token_used: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  config_invalid: 500,
  database_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem with one field of the request. */
export interface FieldIssue {
  /** Dotted path, e.g. `body.rules[2].port` or `query.limit`. */
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = ERROR_STATUS[code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: unknown; request_id: string };
}

export function errorResponse(c: Context, err: ApiError): Response {
  const body: ErrorBody = {
    error: {
      code: err.code,
      message: err.message,
      details: err.details,
      request_id: (c.get("requestId") as string | undefined) ?? "",
    },
  };
  return c.json(body, err.status, err.headers);
}

/** `["rules", 2, "port"]` → `rules[2].port`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

interface ZodIssueLike {
  code?: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}

/**
 * Zod issues as `{path, message}` with the request part (`body`, `query`,
 * `param`, `env`…) in front; an unknown field is reported at its own path.
 */
export function fieldIssues(issues: readonly ZodIssueLike[], prefix: string): FieldIssue[] {
  const out: FieldIssue[] = [];
  const at = (path: readonly PropertyKey[]) => [prefix, formatPath(path)].filter(Boolean).join(".");
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys" && issue.keys) {
      for (const key of issue.keys)
        out.push({ path: at([...issue.path, key]), message: "unknown field" });
    } else {
      out.push({ path: at(issue.path), message: issue.message });
    }
  }
  return out;
}

/** A 400 `validation_failed` listing every offending field. */
export function validationError(issues: FieldIssue[]): ApiError {
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  return new ApiError("validation_failed", `invalid request: ${summary}`, issues);
}
