import { ApiError } from "../../../errors.ts";
import { fromBase64, toHex } from "../../base64.ts";

/** An uploaded module: its bytes and their SHA-256 (lowercase hex). */
export interface UploadedModule {
  bytes: Uint8Array<ArrayBuffer>;
  sha256: string;
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/**
 * Decodes `body.module` (base64) and runs the checks that need no isolate:
 * the size limit (413) and the WebAssembly header (400 `wasm_invalid`).
 * Whether opa-wasm can load it is the runner's `describe`.
 */
export async function decodeModule(base64: string, maxBytes: number): Promise<UploadedModule> {
  // fromBase64 allocates a fresh ArrayBuffer.
  const bytes = fromBase64(base64) as Uint8Array<ArrayBuffer>;
  if (bytes.length > maxBytes) {
    throw new ApiError(
      "payload_too_large",
      `body.module: the Wasm module is ${bytes.length} bytes, more than the limit of ${maxBytes}`,
      [{ path: "body.module", message: `at most ${maxBytes} bytes` }],
    );
  }
  const header = [...bytes.subarray(0, 8)];
  if (header.length < 8 || MAGIC.some((b, i) => header[i] !== b)) {
    throw invalidModule("not a WebAssembly binary (no \\0asm magic number)");
  }
  if (header[4] !== 1 || header[5] !== 0 || header[6] !== 0 || header[7] !== 0) {
    throw invalidModule(`unsupported WebAssembly binary version ${header.slice(4).join(".")}`);
  }
  return { bytes, sha256: await sha256Hex(bytes) };
}

/** 400 `wasm_invalid` naming `body.module` and why. */
export function invalidModule(reason: string): ApiError {
  return new ApiError("wasm_invalid", `body.module: ${reason}`, [
    { path: "body.module", message: reason },
  ]);
}
