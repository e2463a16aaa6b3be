import { describe, expect, it } from "vitest";
import {
  decodeSeqCursor,
  decodeTimeCursor,
  encodeCursor,
  encodeSeqCursor,
  encodeTimeCursor,
} from "./cursor.ts";

describe("keyset cursors", () => {
  it("round-trip, URL-safe", () => {
    const key = { timestamp: "2026-02-21T08:00:00.123456Z", id: 42 };
    const cursor = encodeTimeCursor("syscalls", key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTimeCursor("syscalls", cursor)).toEqual(key);
    expect(decodeSeqCursor("audit", encodeSeqCursor("audit", 7))).toBe(7);
  });

  it("belong to the listing that made them", () => {
    const cursor = encodeTimeCursor("files", { timestamp: "2026-02-21T08:00:00Z", id: 1 });
    expect(decodeTimeCursor("syscalls", cursor)).toBeUndefined();
    expect(decodeSeqCursor("audit", cursor)).toBeUndefined();
  });

  it("refuse garbage and forged keys", () => {
    for (const cursor of [
      "",
      "!!",
      "bm90IGpzb24",
      encodeCursor("syscalls", ["2026-02-21 08:00:00", 1]),
      encodeCursor("syscalls", ["2026-02-21T08:00:00Z", 0]),
      encodeCursor("syscalls", ["2026-02-21T08:00:00Z", 1.5]),
      encodeCursor("syscalls", ["2026-02-21T08:00:00Z'; drop table x; --", 1]),
      encodeCursor("syscalls", ["2026-02-21T08:00:00Z", 1, 2]),
    ]) {
      expect(decodeTimeCursor("syscalls", cursor), cursor).toBeUndefined();
    }
    expect(decodeSeqCursor("audit", encodeCursor("audit", [-1]))).toBeUndefined();
    expect(decodeSeqCursor("audit", encodeCursor("audit", ["1"]))).toBeUndefined();
  });
});
