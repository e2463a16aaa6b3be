import { apps, orgs } from "@tether/schema/tables";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newOrg, testDatabase } from "../../test/fixtures.ts";
import { bumpedTransaction } from "./audit.ts";

async function revisionOf(orgId: string): Promise<number> {
  const { db, close } = testDatabase();
  try {
    const [row] = await db.select({ r: orgs.revision }).from(orgs).where(eq(orgs.id, orgId));
    return row!.r;
  } finally {
    await close();
  }
}

describe("bumpedTransaction", () => {
  it("bumps the revision, runs the work in the same transaction and commits", async () => {
    const org = await newOrg();
    const before = await revisionOf(org.orgId);
    const { db, close } = testDatabase();
    try {
      const got = await bumpedTransaction(db, org.orgId, async (tx, bumped) => {
        await tx.insert(apps).values({ orgId: org.orgId, slug: "bumped-app", name: "bumped-app" });
        return bumped;
      });
      expect(got.revision).toBe(before + 1);
      expect(typeof got.eventSeq).toBe("number");
      expect(await revisionOf(org.orgId)).toBe(before + 1);
      const made = await db.select().from(apps).where(eq(apps.orgId, org.orgId));
      expect(made.map((a) => a.name)).toContain("bumped-app");
    } finally {
      await close();
    }
  });

  it("rolls back the bump and the work when the work throws, and the pool still works", async () => {
    const org = await newOrg();
    const before = await revisionOf(org.orgId);
    const { db, close } = testDatabase();
    try {
      await expect(
        bumpedTransaction(db, org.orgId, async (tx) => {
          await tx
            .insert(apps)
            .values({ orgId: org.orgId, slug: "rolled-back", name: "rolled-back" });
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      expect(await revisionOf(org.orgId)).toBe(before);
      const left = await db.select().from(apps).where(eq(apps.orgId, org.orgId));
      expect(left.map((a) => a.name)).not.toContain("rolled-back");
      // the connection went back to the pool outside any transaction
      await bumpedTransaction(db, org.orgId, async () => {});
      expect(await revisionOf(org.orgId)).toBe(before + 1);
    } finally {
      await close();
    }
  });

  it("refuses an unknown org and an id that is not a UUID", async () => {
    const { db, close } = testDatabase();
    try {
      await expect(
        bumpedTransaction(db, "00000000-0000-4000-8000-000000000000", async () => "ran"),
      ).rejects.toThrow("does not exist");
      await expect(
        bumpedTransaction(db, "x'; DROP TABLE orgs; --", async () => "ran"),
      ).rejects.toThrow("not an org id");
      const [any] = await db.select({ id: orgs.id }).from(orgs).limit(1);
      expect(any).toBeDefined();
    } finally {
      await close();
    }
  });
});
