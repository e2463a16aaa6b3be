import { z } from "@hono/zod-openapi";
import type { wasmPolicyVersions } from "@tether/schema/tables";
import type { WasmPolicyRow } from "../services/governance/wasm/views.ts";
import {
  PolicyName,
  policyStateFields,
  settingsBodyFields,
  toPolicyState,
  toVersionState,
  versionStateFields,
} from "./opa.common.ts";

const Entrypoint = z
  .string()
  .min(1, "must not be empty")
  .max(500, "at most 500 characters")
  .regex(/^[^\s]+$/, "no whitespace")
  .openapi({ example: "tether/authz/allow" });

const fields = {
  name: PolicyName,
  module: z.base64({ error: "must be the module's bytes in base64" }).openapi({
    description: "`policy.wasm` from `opa build -t wasm` (inside the bundle), base64",
  }),
  entrypoints: z
    .array(Entrypoint)
    .min(1, "name at least one entrypoint")
    .max(100, "at most 100 entrypoints")
    .refine((l) => new Set(l).size === l.length, "must not repeat an entrypoint")
    .openapi({
      description:
        "The entrypoints this policy serves (`opa build -e …`); each must be in the module's `entrypoints()`. `/v1/data/{entrypoint}` reaches it while the policy is active.",
    }),
  ...settingsBodyFields,
};

export const WasmPolicyCreateBody = z.object(fields).strict().openapi("WasmPolicyInput");

export const WasmPolicyReplaceBody = z
  .object({
    ...fields,
    module: fields.module.optional().openapi({
      description: "The new module, base64; omitted keeps the current one",
    }),
  })
  .strict()
  .openapi("WasmPolicyReplace");

export const WasmPolicy = z
  .object({
    id: z.uuid(),
    kind: z.literal("wasm"),
    name: z.string(),
    entrypoints: z.array(z.string()),
    sha256: z.string().openapi({ description: "SHA-256 of the module, lowercase hex" }),
    size_bytes: z.number().int(),
    abi_version: z.string().nullable().openapi({
      example: "1.2",
      description: "OPA Wasm ABI `1.<opa_wasm_abi_minor_version>`",
    }),
    ...policyStateFields,
  })
  .openapi("WasmPolicy");

export const abiVersion = (minor: number | null) => (minor === null ? null : `1.${minor}`);

export const toWasmPolicy = (r: WasmPolicyRow): z.infer<typeof WasmPolicy> => ({
  id: r.id,
  kind: "wasm",
  name: r.name,
  entrypoints: r.entrypoints,
  sha256: r.sha256,
  size_bytes: r.sizeBytes,
  abi_version: abiVersion(r.abiMinorVersion),
  ...toPolicyState(r),
});

/** A stored version of a Wasm policy. */
export const WasmPolicyVersion = z
  .object({
    version: z.number().int(),
    name: z.string(),
    entrypoints: z.array(z.string()),
    sha256: z.string(),
    size_bytes: z.number().int(),
    abi_version: z.string().nullable(),
    ...versionStateFields,
  })
  .openapi("WasmPolicyVersion");

export const toWasmPolicyVersion = (
  v: typeof wasmPolicyVersions.$inferSelect,
): z.infer<typeof WasmPolicyVersion> => ({
  version: v.version,
  name: v.name,
  entrypoints: v.entrypoints,
  sha256: v.sha256,
  size_bytes: v.sizeBytes,
  abi_version: abiVersion(v.abiMinorVersion),
  ...toVersionState(v),
});

export const WASM_CHECKS =
  "The module must load with opa-wasm (400 `wasm_invalid` with the reason otherwise: not WebAssembly, does not compile, not OPA's ABI 1.x) and export every entrypoint in `entrypoints` (400 `validation_failed` naming each missing one). Larger than `MAX_WASM_BYTES` (512 KiB by default) is 413.";
