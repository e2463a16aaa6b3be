import { z } from "zod";

/**
 * OPA's REST shapes (`/v1/data/{path}`), shared by the control plane's
 * OPA-compatible surface and the agent's local endpoint, so an OPA client
 * works unchanged against either.
 */
export const OPA_ERROR_CODES = [
  "invalid_parameter",
  "unauthorized",
  "resource_not_found",
  "resource_conflict",
  "internal_error",
] as const;
export type OpaErrorCode = (typeof OPA_ERROR_CODES)[number];

/** OPA's code for an HTTP status; anything unlisted is `internal_error`. */
export function opaCodeFor(status: number): OpaErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return "invalid_parameter";
    case 401:
    case 403:
      return "unauthorized";
    case 404:
    case 405:
      return "resource_not_found";
    case 409:
      return "resource_conflict";
    default:
      return "internal_error";
  }
}

/** OPA's error object: `{code, message, errors?}`, errors positioned as `{file, row, col}`. */
export const OpaError = z.object({
  code: z.enum(OPA_ERROR_CODES),
  message: z.string(),
  errors: z
    .array(
      z.object({
        code: z.string(),
        message: z.string(),
        location: z.object({ file: z.string(), row: z.number(), col: z.number() }),
      }),
    )
    .optional(),
});
export type OpaError = z.infer<typeof OpaError>;

/** A `/v1/data` answer: `result` is absent when the document is undefined. */
export const OpaDataResult = z.object({
  result: z.unknown().optional(),
  decision_id: z.string(),
});
export type OpaDataResult = z.infer<typeof OpaDataResult>;

/**
 * The input of a `/v1/data` request body (`{"input": …}`, or an empty body),
 * or OPA's message for a body that is not such an object.
 *
 * @example
 * parseOpaInput('{"input":{"user":"a"}}'); // { ok: true, input: { user: "a" } }
 * parseOpaInput("[1]"); // { ok: false, message: "body contains malformed input document: not an object" }
 */
export function parseOpaInput(
  text: string,
): { ok: true; input: unknown } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: true, input: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, message: `body contains malformed input document: ${why}` };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { ok: false, message: "body contains malformed input document: not an object" };
  }
  return { ok: true, input: (parsed as { input?: unknown }).input };
}

/** `data.tether.sandbox.allow`, `tether/sandbox/allow` or `/tether/sandbox/allow` → `tether/sandbox/allow`. */
export function normalizeDataPath(path: string): string {
  let segs = path.includes("/") ? path.split("/") : path.split(".");
  segs = segs.filter((s) => s !== "");
  if (segs[0] === "data") segs = segs.slice(1);
  return segs.join("/");
}

/**
 * The policy a normalized data path belongs to: the longest package that
 * contains the path, or that the path contains (`tether` reads the whole
 * `tether.sandbox` package).
 */
export function policyOwningPath<T>(
  policies: readonly T[],
  path: string,
  packageOf: (p: T) => string,
): T | undefined {
  let best: T | undefined;
  let bestLength = -1;
  for (const p of policies) {
    const dotted = packageOf(p);
    const pkg = dotted.replaceAll(".", "/");
    const inside = path === pkg || path.startsWith(`${pkg}/`) || pkg.startsWith(`${path}/`);
    if (inside && dotted.length > bestLength) {
      best = p;
      bestLength = dotted.length;
    }
  }
  return best;
}
