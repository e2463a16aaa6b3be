import { customType, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { createdAt, orgId } from "./columns.ts";

/**
 * bytea, sent as Postgres' hex text form (`\x…`) so every driver passes it
 * the same way; read back from a Buffer or from that text.
 */
const bytea = customType<{ data: Uint8Array<ArrayBuffer>; driverData: string | Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (bytes) => {
    let hex = "\\x";
    for (const b of bytes) hex += b.toString(16).padStart(2, "0");
    return hex;
  },
  fromDriver: (value) => {
    if (typeof value !== "string") return new Uint8Array(value);
    const hex = value.startsWith("\\x") ? value.slice(2) : value;
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  },
});

/**
 * Compiled Wasm policy modules (OPA's `opa build -t wasm` output), stored
 * once per org and content hash; Wasm policy versions name them by `sha256`.
 */
export const wasmModules = pgTable(
  "wasm_modules",
  {
    orgId: orgId(),
    /** Lowercase hex SHA-256 of `module`. */
    sha256: text("sha256").notNull(),
    module: bytea("module").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: "wasm_modules_pk", columns: [t.orgId, t.sha256] })],
);
