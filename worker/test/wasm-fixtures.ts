import { inject } from "vitest";
import { fromBase64 } from "../src/services/base64.ts";
import { sha256Hex } from "../src/services/governance/wasm/module.ts";
import { api, type TestOrg } from "./fixtures.ts";

declare module "vitest" {
  export interface ProvidedContext {
    opaAbiFixture: string;
    opaAbiAnswers: string;
  }
}

/**
 * The OPA Wasm ABI fixture (dev/fixtures/opa-abi/policy.wat: hand-written,
 * NOT compiled by OPA), assembled by wabt in Node before the run
 * (dev/fixtures/opa-abi/global-setup.ts): workerd compiles no Wasm itself.
 */
export const ABI_FIXTURE_BASE64 = inject("opaAbiFixture");
export const ABI_FIXTURE = fromBase64(ABI_FIXTURE_BASE64) as Uint8Array<ArrayBuffer>;
export const ABI_ENTRYPOINTS = ["tether/authz/allow", "tether/authz/user", "tether/authz/conflict"];

/** opa-wasm's answers in Node, per input and entrypoint, for the same fixture. */
export const NODE_ANSWERS = JSON.parse(inject("opaAbiAnswers")) as {
  input: unknown;
  results: Record<string, { resultSet: unknown[] } | { error: string }>;
}[];

export const fixtureSha256 = () => sha256Hex(ABI_FIXTURE);

/** A valid WebAssembly module that is not an OPA policy: it exports `forty() = 42` and nothing else. */
export const NOT_OPA = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 9, 1, 5, 102, 111, 114, 116,
  121, 0, 0, 10, 6, 1, 4, 0, 65, 42, 11,
]);

export async function createWasmPolicy(org: TestOrg, body: Record<string, unknown> = {}) {
  const res = await api("POST", "/api/opa/wasm-policies", {
    key: org.adminKey,
    body: {
      name: `authz-${crypto.randomUUID().slice(0, 8)}`,
      module: ABI_FIXTURE_BASE64,
      entrypoints: ABI_ENTRYPOINTS,
      ...body,
    },
  });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string; revision: number; sha256: string };
}
