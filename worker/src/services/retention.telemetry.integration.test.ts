import { eq, inArray } from "drizzle-orm";
import {
  decisionLogs,
  fileAccessEvents,
  networkEvents,
  orgs,
  syscallEvents,
} from "@tether/schema/tables";
import { describe, expect, it } from "vitest";
import { newOrg, testDatabase } from "../../test/fixtures.ts";
import { insertApp, insertTelemetry } from "../../test/telemetry-fixtures.ts";
import { pruneTelemetry } from "./retention.ts";

const DAY = 86_400_000;
const AGES = [1, 6, 8, 20, 31, 100];

describe("pruneTelemetry", () => {
  it("deletes exactly the rows older than each org's retention, in chunks, and counts them", async () => {
    const [short, long, bystander] = await Promise.all([
      newOrg("7 days"),
      newOrg("30 days"),
      newOrg("untouched"),
    ]);
    const now = new Date();
    const { db, close } = testDatabase();
    try {
      await db.update(orgs).set({ retentionDays: 7 }).where(eq(orgs.id, short.orgId));
      for (const org of [short, long, bystander]) {
        const app = await insertApp(org.orgId);
        const specs = AGES.map((d) => ({ at: new Date(now.getTime() - d * DAY), pid: d }));
        await insertTelemetry(org.orgId, app.id, { syscalls: specs, network: specs, files: specs });
        await db.insert(decisionLogs).values(
          AGES.map((d) => ({
            decisionId: crypto.randomUUID(),
            orgId: org.orgId,
            path: "tether/allow",
            timestamp: new Date(now.getTime() - d * DAY),
            source: "server" as const,
            labels: { age: String(d) },
          })),
        );
      }

      const deleted = await pruneTelemetry(db, now, {
        chunk: 2,
        orgIds: [short.orgId, long.orgId],
      });
      // 7 days drops 8, 20, 31, 100 (4 rows); 30 days drops 31, 100 (2 rows).
      expect(deleted).toEqual({
        syscall_events: 6,
        network_events: 6,
        file_access_events: 6,
        decision_logs: 6,
      });

      const orgIds = [short.orgId, long.orgId, bystander.orgId];
      const left = new Map<string, number[]>();
      const note = (table: string, org: string, age: number) => {
        const key = `${table} ${org}`;
        left.set(
          key,
          [...(left.get(key) ?? []), age].sort((a, b) => a - b),
        );
      };
      for (const [name, t] of [
        ["syscalls", syscallEvents],
        ["network", networkEvents],
        ["files", fileAccessEvents],
      ] as const) {
        const rows = await db
          .select({ orgId: t.orgId, pid: t.pid })
          .from(t)
          .where(inArray(t.orgId, orgIds));
        for (const r of rows) note(name, r.orgId, r.pid!);
      }
      const decisions = await db
        .select()
        .from(decisionLogs)
        .where(inArray(decisionLogs.orgId, orgIds));
      for (const r of decisions) note("decisions", r.orgId, Number(r.labels.age));

      for (const table of ["syscalls", "network", "files", "decisions"]) {
        expect(left.get(`${table} ${short.orgId}`), table).toEqual([1, 6]);
        expect(left.get(`${table} ${long.orgId}`), table).toEqual([1, 6, 8, 20]);
        expect(left.get(`${table} ${bystander.orgId}`), table).toEqual(AGES);
      }

      // A second run finds nothing more.
      expect(await pruneTelemetry(db, now, { orgIds: [short.orgId, long.orgId] })).toEqual({
        syscall_events: 0,
        network_events: 0,
        file_access_events: 0,
        decision_logs: 0,
      });
    } finally {
      await close();
    }
  });
});
