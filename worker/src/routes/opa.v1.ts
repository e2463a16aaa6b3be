import { regoPolicies } from "@tether/schema/tables";
import { opaCodeFor, parseOpaInput } from "@tether/schema/wire";
import { and, asc, eq, or } from "drizzle-orm";
import type { Context } from "hono";
import type { App, AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { decide } from "../services/governance/decide.ts";
import { deletePolicy, type RegoPolicyRow, savePolicy } from "../services/governance/policies.ts";
import { isUuid } from "../services/uuid.ts";
import { documentOpaCompat } from "./opa.v1.docs.ts";

/**
 * OPA's own REST shapes, so an existing OPA client works unchanged:
 * `/v1/policies/{id}` (raw Rego text; the id is the policy's name) and
 * `/v1/data/{path}`. Errors leave as OPA's error object
 * `{code, message, errors?}` with OPA's codes. Admin keys authenticate
 * (read for data and policy reads, admin for policy writes).
 */
interface DetailError {
  code?: string;
  message?: string;
  file?: string;
  line?: number;
  col?: number;
}

/** Positioned errors as OPA writes them: `location: {file, row, col}`. */
function opaErrors(details: unknown) {
  if (!Array.isArray(details)) return undefined;
  const out = (details as DetailError[])
    .filter((d) => typeof d.code === "string" && typeof d.line === "number")
    .map((d) => ({
      code: d.code,
      message: d.message,
      location: { file: d.file ?? "", row: d.line, col: d.col ?? 0 },
    }));
  return out.length > 0 ? out : undefined;
}

/** Rewrites whatever error the chain produced (auth, body limit, handler) into OPA's object. */
async function opaErrorObject(c: Context<AppEnv>, next: () => Promise<void>) {
  await next();
  const err = c.error;
  if (!err) return;
  const api = err instanceof ApiError ? err : null;
  const status = api?.status ?? 500;
  const errors = api ? opaErrors(api.details) : undefined;
  const message =
    errors && status === 400
      ? "error(s) occurred while compiling module(s)"
      : (api?.message ?? "internal error");
  c.res = c.json(
    { code: opaCodeFor(status), message, ...(errors ? { errors } : {}) },
    status,
    api?.headers ?? {},
  );
}

async function findPolicy(c: Context<AppEnv>, id: string): Promise<RegoPolicyRow | undefined> {
  const orgId = c.var.principal.orgId;
  const match = isUuid(id)
    ? or(eq(regoPolicies.name, id), eq(regoPolicies.id, id))
    : eq(regoPolicies.name, id);
  const rows = await c.var.services.db
    .select()
    .from(regoPolicies)
    .where(and(eq(regoPolicies.orgId, orgId), match));
  return rows.find((r) => r.name === id) ?? rows[0];
}

const notFound = (id: string) =>
  new ApiError("not_found", `storage_not_found_error: policy id "${id}"`);

const opaPolicy = (r: RegoPolicyRow) => ({ id: r.name, raw: r.source });

/** Parses `{"input": …}` (or nothing); OPA's message for anything else. */
function inputOf(text: string): unknown {
  const parsed = parseOpaInput(text);
  if (!parsed.ok) throw new ApiError("bad_request", parsed.message);
  return parsed.input;
}

async function answer(c: Context<AppEnv>, input: unknown) {
  const path = c.req.param("path") ?? "";
  const d = await decide(c.var.services, {
    orgId: c.var.principal.orgId,
    path: decodeURIComponent(path),
    input,
    labels: { api: "v1/data" },
  });
  return c.json({ ...(d.defined ? { result: d.value } : {}), decision_id: d.decisionId }, 200);
}

export function registerOpaCompat(app: App): void {
  documentOpaCompat(app);
  for (const p of ["/v1/policies", "/v1/policies/*", "/v1/data", "/v1/data/*"]) {
    app.use(p, opaErrorObject);
  }

  app.get("/v1/policies", requireAdmin("read"), async (c) => {
    const rows = await c.var.services.db
      .select()
      .from(regoPolicies)
      .where(eq(regoPolicies.orgId, c.var.principal.orgId))
      .orderBy(asc(regoPolicies.name));
    return c.json({ result: rows.map(opaPolicy) }, 200);
  });

  app.get("/v1/policies/:id{.+}", requireAdmin("read"), async (c) => {
    const id = decodeURIComponent(c.req.param("id"));
    const row = await findPolicy(c, id);
    if (!row) throw notFound(id);
    return c.json({ result: opaPolicy(row) }, 200);
  });

  // OPA's PUT makes the module live at once: the policy is saved active
  // (its tests, when it has some, gate it), keeping an existing one's mode and targets.
  app.put("/v1/policies/:id{.+}", requireAdmin("admin"), async (c) => {
    const id = decodeURIComponent(c.req.param("id"));
    const source = await c.req.text();
    const p = c.var.principal;
    const existing = await findPolicy(c, id);
    if (id.length > 200 || !/^[\w.\-/]+$/.test(id)) {
      throw new ApiError(
        "bad_request",
        "policy id: letters, digits, `_`, `-`, `.` and `/` only, at most 200",
      );
    }
    await savePolicy(c, p.orgId, p.keyId, existing?.id ?? null, {
      name: existing?.name ?? id,
      source,
      tests: existing?.tests ?? null,
      status: "active",
      mode: existing?.mode ?? "audit",
      targetApps: existing?.targetApps ?? [],
      targetNodes: existing?.targetNodes ?? [],
    });
    return c.json({}, 200);
  });

  app.delete("/v1/policies/:id{.+}", requireAdmin("admin"), async (c) => {
    const id = decodeURIComponent(c.req.param("id"));
    const row = await findPolicy(c, id);
    if (!row) throw notFound(id);
    const p = c.var.principal;
    await deletePolicy(c, p.orgId, p.keyId, row.id);
    return c.json({}, 200);
  });

  for (const path of ["/v1/data", "/v1/data/:path{.+}"]) {
    app.post(path, requireAdmin("read"), async (c) => answer(c, inputOf(await c.req.text())));
    app.get(path, requireAdmin("read"), async (c) => {
      const raw = c.req.query("input");
      return answer(c, raw === undefined ? undefined : inputOf(`{"input":${raw}}`));
    });
  }
}
