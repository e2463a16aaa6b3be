import { z } from "@hono/zod-openapi";
import type { regoPolicyVersions } from "@tether/schema/tables";
import type { RegoPolicyInput, RegoPolicyRow } from "../services/governance/policies.ts";
import {
  PolicyName,
  policyStateFields,
  settingsBodyFields,
  toPolicyState,
  toSettings,
  toVersionState,
  versionStateFields,
} from "./opa.common.ts";

const MAX_SOURCE = 256 * 1024;

export const RegoPolicyBody = z
  .object({
    name: PolicyName,
    source: z.string().min(1, "must not be empty").max(MAX_SOURCE, "too long"),
    tests: z.string().max(MAX_SOURCE, "too long").nullable().optional().openapi({
      description: "Rego `test_*` rules run against the policy; failing ones refuse activation",
    }),
    ...settingsBodyFields,
  })
  .strict()
  .openapi("RegoPolicyInput");

export const toInput = (b: z.infer<typeof RegoPolicyBody>): RegoPolicyInput => ({
  ...toSettings(b),
  source: b.source,
  tests: b.tests ?? null,
});

export const RegoPolicy = z
  .object({
    id: z.uuid(),
    name: z.string(),
    package_path: z.string().openapi({ example: "tether.sandbox" }),
    source: z.string(),
    tests: z.string().nullable(),
    ...policyStateFields,
  })
  .openapi("RegoPolicy");

export const toRegoPolicy = (r: RegoPolicyRow): z.infer<typeof RegoPolicy> => ({
  id: r.id,
  name: r.name,
  package_path: r.packagePath,
  source: r.source,
  tests: r.tests,
  ...toPolicyState(r),
});

/** A stored version of a Rego policy. */
export const RegoPolicyVersion = z
  .object({
    version: z.number().int(),
    name: z.string(),
    package_path: z.string(),
    source: z.string(),
    tests: z.string().nullable(),
    ...versionStateFields,
  })
  .openapi("RegoPolicyVersion");

export const toRegoPolicyVersion = (
  v: typeof regoPolicyVersions.$inferSelect,
): z.infer<typeof RegoPolicyVersion> => ({
  version: v.version,
  name: v.name,
  package_path: v.packagePath,
  source: v.source,
  tests: v.tests,
  ...toVersionState(v),
});

export const RegoErrorItem = z
  .object({
    code: z.string().openapi({ example: "rego_unsafe_var_error" }),
    message: z.string(),
    file: z.string(),
    line: z.number().int(),
    col: z.number().int(),
  })
  .openapi("RegoErrorItem");

export const COMPILE_ERRORS =
  "A module that does not compile is refused with 400 `validation_failed`; `details` lists every error as `{path, code, message, file, line, col}`.";
