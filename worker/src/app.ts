import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./context.ts";
import { ApiError, errorResponse, fieldIssues, validationError } from "./errors.ts";
import { requestId } from "./middleware/request-id.ts";
import { provideServices, realServices, type ServicesFactory } from "./middleware/services.ts";
import { registerCreateAppKey } from "./routes/app-keys.create.ts";
import { registerListAppKeys } from "./routes/app-keys.list.ts";
import { registerRevokeAppKey } from "./routes/app-keys.revoke.ts";
import { registerCreateApp } from "./routes/apps.create.ts";
import { registerDeleteApp } from "./routes/apps.delete.ts";
import { registerGetApp } from "./routes/apps.get.ts";
import { registerListApps } from "./routes/apps.list.ts";
import { registerUpdateApp } from "./routes/apps.update.ts";
import { registerListAudit } from "./routes/audit.list.ts";
import { registerVerifyAudit } from "./routes/audit.verify.ts";
import { registerBootstrap } from "./routes/bootstrap.ts";
import { registerListDecisions } from "./routes/decisions.list.ts";
import { registerCreateEnrollmentToken } from "./routes/enrollment-tokens.create.ts";
import { registerListEnrollmentTokens } from "./routes/enrollment-tokens.list.ts";
import { registerRevokeEnrollmentToken } from "./routes/enrollment-tokens.revoke.ts";
import { registerHealthz } from "./routes/healthz.ts";
import { registerHubConnections } from "./routes/hub.connections.ts";
import { registerHubPing } from "./routes/hub.ping.ts";
import { registerHubPings } from "./routes/hub.pings.ts";
import { registerCreateKey } from "./routes/keys.create.ts";
import { registerListKeys } from "./routes/keys.list.ts";
import { registerRevokeKey } from "./routes/keys.revoke.ts";
import { registerCreateMeshPolicy } from "./routes/mesh-policies.create.ts";
import { registerDeleteMeshPolicy } from "./routes/mesh-policies.delete.ts";
import { registerGetMeshPolicy } from "./routes/mesh-policies.get.ts";
import { registerListMeshPolicies } from "./routes/mesh-policies.list.ts";
import { registerReplaceMeshPolicy } from "./routes/mesh-policies.replace.ts";
import { registerNodeDecisions } from "./routes/nodes.decisions.ts";
import { registerDeleteNode } from "./routes/nodes.delete.ts";
import { registerNodeDeregister } from "./routes/nodes.deregister.ts";
import { registerNodeEvents } from "./routes/nodes.events.ts";
import { registerGetNode } from "./routes/nodes.get.ts";
import { registerNodeHeartbeat } from "./routes/nodes.heartbeat.ts";
import { registerListNodes } from "./routes/nodes.list.ts";
import { registerNodePolicyWasm } from "./routes/nodes.policy-wasm.ts";
import { registerNodePong } from "./routes/nodes.pong.ts";
import { registerRegister } from "./routes/nodes.register.ts";
import { registerNodeState } from "./routes/nodes.state.ts";
import { registerNodeStatus } from "./routes/nodes.status.ts";
import { registerUpdateNode } from "./routes/nodes.update.ts";
import { registerOpaEvaluate } from "./routes/opa.evaluate.ts";
import { registerRegoPolicyReads } from "./routes/opa.policies.ts";
import { registerRegoPolicyWrites } from "./routes/opa.policies.write.ts";
import { registerOpaSimulate } from "./routes/opa.simulate.ts";
import { registerOpaCompat } from "./routes/opa.v1.ts";
import { registerWasmPolicyReads } from "./routes/opa.wasm.read.ts";
import { registerWasmPolicyWrites } from "./routes/opa.wasm.write.ts";
import { registerOrgSettings } from "./routes/orgs.settings.ts";
import { registerListSigningKeys } from "./routes/signing-keys.list.ts";
import { registerRotateSigningKey } from "./routes/signing-keys.rotate.ts";
import { registerListFileEvents } from "./routes/telemetry.files.ts";
import { registerTelemetryIngest } from "./routes/telemetry.ingest.ts";
import { registerListNetworkEvents } from "./routes/telemetry.network.ts";
import { registerTelemetryStats } from "./routes/telemetry.stats.ts";
import { registerListSyscalls } from "./routes/telemetry.syscalls.ts";
import { pgErrorCode } from "./services/db.ts";

export interface AppOptions {
  /** Replaces the real services (database, clock, randomness) in tests. */
  services?: ServicesFactory;
}

/** The whole HTTP surface. Every route is listed here, in the order of DESIGN.md §11. */
export function createApp(options: AppOptions = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const part = result.target === "json" ? "body" : result.target;
      return errorResponse(c, validationError(fieldIssues(result.error.issues, part)));
    },
  });

  app.use("*", requestId);
  app.openAPIRegistry.registerComponent("securitySchemes", "AdminKey", {
    type: "http",
    scheme: "bearer",
    description: "Admin API key, `tk_admin_…`",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "NodeCredential", {
    type: "http",
    scheme: "bearer",
    description: "Node credential from enrollment, `tk_node_…`",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "EnrollmentToken", {
    type: "http",
    scheme: "bearer",
    description: "Enrollment token, `tk_enroll_…`",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "IngestKey", {
    type: "http",
    scheme: "bearer",
    description: "Ingest key bound to apps, `tk_ingest_…` (also accepted as `X-API-Key`)",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "BootstrapToken", {
    type: "http",
    scheme: "bearer",
    description: "The Worker's BOOTSTRAP_TOKEN secret (first install only)",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "tether control plane",
      version: "0.1.0",
      description: "Mesh network policies and OPA/Rego governance, enforced at the edge.",
    },
  });

  for (const prefix of ["/healthz", "/api/*", "/v1/*"]) {
    app.use(prefix, provideServices(options.services ?? realServices));
  }
  app.use("/api/*", limitBody, requireJsonBody);
  app.use("/v1/*", limitBody);

  registerHealthz(app);
  registerBootstrap(app);
  registerCreateKey(app);
  registerListKeys(app);
  registerRevokeKey(app);
  // Mesh administration: enrollment tokens, nodes, mesh policies, signing keys.
  registerCreateEnrollmentToken(app);
  registerListEnrollmentTokens(app);
  registerRevokeEnrollmentToken(app);
  registerListNodes(app);
  registerGetNode(app);
  registerUpdateNode(app);
  registerDeleteNode(app);
  registerCreateMeshPolicy(app);
  registerListMeshPolicies(app);
  registerGetMeshPolicy(app);
  registerReplaceMeshPolicy(app);
  registerDeleteMeshPolicy(app);
  registerListSigningKeys(app);
  registerRotateSigningKey(app);
  registerHubPing(app);
  registerHubPings(app);
  registerHubConnections(app);
  // Telemetry: app registry, ingest keys, the ingest webhook.
  registerCreateApp(app);
  registerListApps(app);
  registerGetApp(app);
  registerUpdateApp(app);
  registerDeleteApp(app);
  registerCreateAppKey(app);
  registerListAppKeys(app);
  registerRevokeAppKey(app);
  registerTelemetryIngest(app);
  // Governance: Rego policies, evaluate/validate/simulate, decision logs, OPA's /v1 surface.
  registerRegoPolicyWrites(app);
  registerRegoPolicyReads(app);
  registerWasmPolicyWrites(app);
  registerWasmPolicyReads(app);
  registerOpaEvaluate(app);
  registerOpaSimulate(app);
  registerListDecisions(app);
  registerOpaCompat(app);
  // Telemetry read side, audit trail, org settings.
  registerListSyscalls(app);
  registerListNetworkEvents(app);
  registerListFileEvents(app);
  registerTelemetryStats(app);
  registerListAudit(app);
  registerVerifyAudit(app);
  registerOrgSettings(app);
  // Agent protocol: /v1/register and /v1/nodes/{id}/….
  registerRegister(app);
  registerNodeState(app);
  registerNodeEvents(app);
  registerNodeStatus(app);
  registerNodePong(app);
  registerNodeHeartbeat(app);
  registerNodeDecisions(app);
  registerNodePolicyWasm(app);
  registerNodeDeregister(app);

  app.notFound((c) =>
    errorResponse(
      c,
      new ApiError("not_found", `no route ${c.req.method} ${new URL(c.req.url).pathname}`),
    ),
  );
  app.onError((err, c) => errorResponse(c, toApiError(err, c)));
  return app;
}

const limitBody = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  const maxSize = c.var.env.MAX_BODY_BYTES;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("payload_too_large", `the request body is larger than ${maxSize} bytes`, {
        max_bytes: maxSize,
      });
    },
  })(c, next);
};

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** Management routes take JSON bodies only: anything else is 415, not a confusing 400. */
const requireJsonBody = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  const method = c.req.method;
  const length = c.req.header("content-length");
  const hasBody =
    (method === "POST" || method === "PUT" || method === "PATCH") &&
    ((length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined);
  const type = c.req.header("content-type");
  if (hasBody && !JSON_TYPE.test(type ?? "")) {
    throw new ApiError(
      "unsupported_media_type",
      `the request body must be JSON (Content-Type: application/json), not ${type ? `"${type}"` : "untyped"}`,
    );
  }
  await next();
};

function toApiError(err: unknown, c: Context<AppEnv>): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 400 && /json/i.test(err.message)) {
      return new ApiError("invalid_json", "the request body is not valid JSON");
    }
    if (err.status === 413)
      return new ApiError("payload_too_large", "the request body is too large");
    if (err.status === 401) return new ApiError("unauthorized", err.message || "unauthorized");
    if (err.status < 500) return new ApiError("bad_request", err.message || "bad request");
  }
  const code = pgErrorCode(err);
  if (code === "23505")
    return new ApiError("conflict", "a resource with the same unique fields exists");
  if (code === "40001" || code === "40P01" || code?.startsWith("08")) {
    return new ApiError(
      "database_unavailable",
      "the database could not complete the request; retry",
    );
  }
  // Unexpected: log for operators (request id, no request data), answer generically.
  console.error(
    JSON.stringify({
      level: "error",
      msg: "unhandled error",
      request_id: c.get("requestId"),
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      pg_code: code,
    }),
  );
  return new ApiError("internal_error", "internal error; quote the request id when reporting it");
}
