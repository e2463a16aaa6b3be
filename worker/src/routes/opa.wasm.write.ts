import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { App, AppEnv } from "../context.ts";
import { decodeModule } from "../services/governance/wasm/module.ts";
import {
  deleteWasmPolicy,
  saveWasmPolicy,
  type WasmPolicyInput,
} from "../services/governance/wasm/policies.ts";
import { policyWriteRoutes, toSettings } from "./opa.common.ts";
import {
  toWasmPolicy,
  WASM_CHECKS,
  WasmPolicy,
  WasmPolicyCreateBody,
  WasmPolicyReplaceBody,
} from "./opa.wasm.schemas.ts";

const EVENTS =
  "Bumps the org revision, stores the version in the policy's history (the module once per SHA-256), writes an audit row (hash and size, not the bytes) and sends `rego_policy_updated` with a `kind: wasm` policy (id, entrypoints, sha256; null unless active) to the nodes in `target_nodes` (every node when empty). An active policy's entrypoints must not be served by another active Wasm policy (409). Saving what is stored already writes nothing.";

const { create, replace, remove } = policyWriteRoutes({
  path: "/api/opa/wasm-policies",
  label: "Wasm",
  policy: WasmPolicy,
  conflicts: "Name taken or entrypoint served elsewhere",
  create: {
    summary: "Upload a compiled Wasm policy",
    description: `${WASM_CHECKS} ${EVENTS}`,
    body: WasmPolicyCreateBody,
  },
  replace: {
    description: `A full replace: omitted fields take their defaults, except \`module\`, which keeps the current one. ${WASM_CHECKS} ${EVENTS}`,
    body: WasmPolicyReplaceBody,
  },
  deleteDescription:
    "Bumps the org revision; the nodes it targeted get `rego_policy_updated` with `policy: null`. Modules no other version names are deleted too.",
});

type Body = z.infer<typeof WasmPolicyReplaceBody>;

async function toInput(c: Context<AppEnv>, b: Body): Promise<WasmPolicyInput> {
  return {
    ...toSettings(b),
    module: b.module === undefined ? null : await decodeModule(b.module, c.var.env.MAX_WASM_BYTES),
    entrypoints: b.entrypoints,
  };
}

export function registerWasmPolicyWrites(app: App): void {
  app.openapi(create, async (c) => {
    const p = c.var.principal;
    const input = await toInput(c, c.req.valid("json"));
    const { row } = await saveWasmPolicy(c, p.orgId, p.keyId, null, input);
    return c.json(toWasmPolicy(row), 201);
  });

  app.openapi(replace, async (c) => {
    const p = c.var.principal;
    const { id } = c.req.valid("param");
    const input = await toInput(c, c.req.valid("json"));
    const { row } = await saveWasmPolicy(c, p.orgId, p.keyId, id, input);
    return c.json(toWasmPolicy(row), 200);
  });

  app.openapi(remove, async (c) => {
    const p = c.var.principal;
    const { id } = c.req.valid("param");
    const revision = await deleteWasmPolicy(c, p.orgId, p.keyId, id);
    return c.json({ id, deleted: true as const, revision }, 200);
  });
}
