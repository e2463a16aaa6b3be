import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OPA_WASM_SOURCE_FILE, renderOpaWasmSource } from "./vendor-opa-wasm.ts";

describe("the vendored opa-wasm module text", () => {
  it("is the installed package's (run `npx tsx dev/vendor-opa-wasm.ts` after an upgrade)", () => {
    expect(readFileSync(OPA_WASM_SOURCE_FILE, "utf8") === renderOpaWasmSource()).toBe(true);
  });
});
