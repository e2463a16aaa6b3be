import { getTableColumns } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { fileAccessEvents, networkEvents, syscallEvents } from "@tether/schema/tables";
import {
  FILES,
  insertStatements,
  MAX_BIND_PARAMETERS,
  NETWORK,
  rowsPerInsert,
  SHARED_COLUMNS,
  SYSCALLS,
} from "./rows.ts";

describe("telemetry rows", () => {
  it.each([
    [SYSCALLS, syscallEvents],
    [NETWORK, networkEvents],
    [FILES, fileAccessEvents],
  ] as const)("$table fills every column of the drizzle table but the identity", (spec, table) => {
    expect(getTableConfig(table).name).toBe(spec.table);
    const columns = Object.values(getTableColumns(table))
      .map((c) => c.name)
      .filter((n) => n !== "id")
      .sort();
    expect([...SHARED_COLUMNS, ...spec.columns].sort()).toEqual(columns);
  });

  it("chunks so no INSERT passes the bind-parameter limit", () => {
    expect(rowsPerInsert(6, 1_000_000)).toBe(Math.floor((MAX_BIND_PARAMETERS - 4) / 6));
    const events = Array.from({ length: 25_000 }, () => ({
      path: "/x",
      operation: "read" as const,
      pid: 1,
      comm: "c",
      success: true,
      timestamp: "2026-02-21T08:00:00Z",
    }));
    const statements = [...insertStatements(FILES, ["o", "a", null, "b"], events, 1_000_000)];
    expect(statements).toHaveLength(3);
    for (const s of statements) expect(s.values.length).toBeLessThanOrEqual(MAX_BIND_PARAMETERS);
    expect(statements.reduce((n, s) => n + (s.values.length - 4) / 6, 0)).toBe(25_000);
  });

  it("refers every row to the shared $1…$4 and numbers its own parameters after them", () => {
    const [s] = [
      ...insertStatements(FILES, ["o", "a", null, "b"], [FILES_EVENT, FILES_EVENT], 100),
    ];
    expect(s!.text).toBe(
      "INSERT INTO file_access_events (org_id, app_id, node_id, batch_id, timestamp, path, operation, pid, comm, success) VALUES " +
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10), ($1, $2, $3, $4, $11, $12, $13, $14, $15, $16)",
    );
    expect(s!.values.slice(4, 10)).toEqual([
      "2026-02-21T08:00:00Z",
      "/etc/passwd",
      "read",
      1,
      "sh",
      false,
    ]);
  });
});

const FILES_EVENT = {
  path: "/etc/passwd",
  operation: "read" as const,
  pid: 1,
  comm: "sh",
  success: false,
  timestamp: "2026-02-21T08:00:00Z",
};
