import { apps, fileAccessEvents, networkEvents, syscallEvents } from "@tether/schema/tables";
import { testDatabase } from "./fixtures.ts";

/**
 * Telemetry rows inserted straight into the tables (the ingest route is not
 * needed): each spec names what its test looks at; the rest is made up.
 */
export type SyscallRow = typeof syscallEvents.$inferInsert;
export type NetworkRow = typeof networkEvents.$inferInsert;
export type FileRow = typeof fileAccessEvents.$inferInsert;

type Common = "orgId" | "appId" | "batchId" | "timestamp";
export type SyscallSpec = Partial<Omit<SyscallRow, Common>> & { at: Date; appId?: string };
export type NetworkSpec = Partial<Omit<NetworkRow, Common>> & { at: Date; appId?: string };
export type FileSpec = Partial<Omit<FileRow, Common>> & { at: Date; appId?: string };

export async function insertApp(orgId: string, slug = `app-${crypto.randomUUID().slice(0, 8)}`) {
  const { db, close } = testDatabase();
  try {
    const [row] = await db.insert(apps).values({ orgId, slug, name: slug }).returning();
    return row!;
  } finally {
    await close();
  }
}

/** Inserts the three kinds for one org (default app `appId`) and returns the stored rows. */
export async function insertTelemetry(
  orgId: string,
  appId: string,
  seed: { syscalls?: SyscallSpec[]; network?: NetworkSpec[]; files?: FileSpec[] },
) {
  const { db, close } = testDatabase();
  const base = (s: { at: Date; appId?: string }) => ({
    orgId,
    appId: s.appId ?? appId,
    batchId: "seed",
    timestamp: s.at,
  });
  try {
    const syscalls = seed.syscalls?.length
      ? await db
          .insert(syscallEvents)
          .values(
            seed.syscalls.map(({ at, appId: _, ...s }) => ({
              syscallName: "openat",
              pid: 1,
              comm: "python",
              success: true,
              ...s,
              ...base({ at, ...(_ ? { appId: _ } : {}) }),
            })),
          )
          .returning()
      : [];
    const network = seed.network?.length
      ? await db
          .insert(networkEvents)
          .values(
            seed.network.map(({ at, appId: _, ...s }) => ({
              direction: "outbound" as const,
              protocol: "tcp" as const,
              dstIp: "93.184.216.34",
              action: "allowed" as const,
              ...s,
              ...base({ at, ...(_ ? { appId: _ } : {}) }),
            })),
          )
          .returning()
      : [];
    const files = seed.files?.length
      ? await db
          .insert(fileAccessEvents)
          .values(
            seed.files.map(({ at, appId: _, ...s }) => ({
              path: "/etc/passwd",
              operation: "read" as const,
              pid: 1,
              comm: "python",
              success: true,
              ...s,
              ...base({ at, ...(_ ? { appId: _ } : {}) }),
            })),
          )
          .returning()
      : [];
    return { syscalls, network, files };
  } finally {
    await close();
  }
}
