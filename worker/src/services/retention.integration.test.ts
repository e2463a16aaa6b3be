import { and, eq } from "drizzle-orm";
import { events, orgs } from "@tether/schema/tables";
import { describe, expect, it } from "vitest";
import { EventStream, enrollToken, register } from "../../test/agent-fixtures.ts";
import { api, newOrg, testDatabase } from "../../test/fixtures.ts";
import { pruneEvents } from "./retention.ts";

describe("pruneEvents", () => {
  it("deletes old events in chunks, records how far, and resumes from before that get snapshot_required", async () => {
    const org = await newOrg();
    const node = await register(await enrollToken(org.orgId), "a");
    for (let i = 0; i < 3; i++) {
      await api("POST", "/api/mesh/policies", {
        key: org.adminKey,
        body: {
          name: `p${i}`,
          rules: [{ src: "*", dst: "*", port: i + 1, protocol: "tcp", action: "deny" }],
        },
      });
    }
    const { db, close } = testDatabase();
    try {
      const mine = await db.select().from(events).where(eq(events.orgId, org.orgId));
      expect(mine.length).toBe(3);
      const old = new Date(Date.now() - 10 * 86_400_000);
      const oldest = mine.slice(0, 2).map((e) => e.seq);
      for (const seq of oldest) {
        await db
          .update(events)
          .set({ createdAt: old })
          .where(and(eq(events.orgId, org.orgId), eq(events.seq, seq)));
      }
      const { deleted } = await pruneEvents(db, new Date(), 7, 1);
      expect(deleted).toBeGreaterThanOrEqual(2);
      const [row] = await db.select().from(orgs).where(eq(orgs.id, org.orgId));
      expect(row!.eventsPrunedThrough).toBe(Math.max(...oldest));
      const left = await db.select().from(events).where(eq(events.orgId, org.orgId));
      expect(left.map((e) => e.seq)).toEqual([mine[2]!.seq]);
    } finally {
      await close();
    }
    const stream = await EventStream.open(node, 0);
    expect((await stream.next()).event).toBe("snapshot_required");
    await stream.close();
  });
});
