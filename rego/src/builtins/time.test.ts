import { describe, expect, it } from "vitest";
import { call } from "./test-helpers.ts";

const T = 1670006453141828752n;

describe("time", () => {
  it("formats with Go layouts in IANA zones", () => {
    expect(call("time.format", T)).toBe("2022-12-02T18:40:53.141828752Z");
    expect(call("time.format", [T, "Asia/Kolkata"])).toBe("2022-12-03T00:10:53.141828752+05:30");
    expect(call("time.format", [T, "Asia/Kolkata", "RFC1123Z"])).toBe(
      "Sat, 03 Dec 2022 00:10:53 +0530",
    );
    expect(call("time.format", [T, "America/New_York", "3:04PM Jan _2 .000"])).toBe(
      "1:40PM Dec  2 .141",
    );
    expect(() => call("time.format", [T, "Mars/Olympus"])).toThrow("unknown time zone");
    expect(call("time.format", [T, "Asia/Kolkata", "15:04 MST"])).toBe("00:10 IST");
    expect(call("time.format", [T, "Europe/Paris", "15:04 MST"])).toBe("19:40 CET");
    expect(call("time.format", [T, "America/Sao_Paulo", "15:04 MST"])).toBe("15:40 -03");
  });
  it("follows daylight saving time", () => {
    // 2021-07-01T12:00:00Z is 08:00 EDT; 2021-01-01T12:00:00Z is 07:00 EST.
    expect(call("time.clock", [1625140800000000000n, "America/New_York"])).toEqual([8, 0, 0]);
    expect(call("time.clock", [1609502400000000000n, "America/New_York"])).toEqual([7, 0, 0]);
  });
  it("parses layouts, RFC 3339 and its int64 range", () => {
    expect(call("time.parse_ns", "2006-01-02", "2020-02-29")).toBe(1582934400000000000n);
    expect(call("time.parse_rfc3339_ns", "2017-06-02T19:00:00-07:00")).toBe(1496455200000000000n);
    expect(call("time.parse_rfc3339_ns", "1677-09-21T00:12:43.145224192-00:00")).toBe(-(2n ** 63n));
    expect(() => call("time.parse_rfc3339_ns", "2262-04-11T23:47:16.854775808Z")).toThrow(
      "time outside of valid range",
    );
    expect(() => call("time.parse_ns", "2006-01-02", "2021-02-29")).toThrow("day out of range");
    expect(call("time.parse_ns", "Jan 2 15:04:05 MST 2006", "Feb 3 04:05:06 UTC 2021")).toBe(
      1612325106000000000n,
    );
  });
  it("parses Go durations exactly", () => {
    expect(call("time.parse_duration_ns", "1h30m")).toBe(5400000000000);
    expect(call("time.parse_duration_ns", "-1.5us")).toBe(-1500);
    expect(call("time.parse_duration_ns", "1µs")).toBe(1000);
    expect(() => call("time.parse_duration_ns", "10")).toThrow("missing unit");
    expect(() => call("time.parse_duration_ns", "1d")).toThrow('unknown unit "d"');
  });
  it("adds dates and diffs with Go normalisation", () => {
    expect(call("time.add_date", 1585852421593912000n, -1, -1, -1)).toBe(1551465221593912000n);
    const d = (a: string, b: string) =>
      call(
        "time.diff",
        call("time.parse_ns", "2006-01-02", a),
        call("time.parse_ns", "2006-01-02", b),
      );
    expect(d("2004-02-29", "2005-03-01")).toEqual([1, 0, 1, 0, 0, 0]);
    expect(call("time.weekday", 1517832000000000000n)).toBe("Monday");
    expect(() => call("time.date", 1.5829776e21)).toThrow("timestamp too big");
    expect(() => call("time.date", 1.5)).toThrow("timestamp too big");
    // Across the 2021-03-14 DST change the wall clock stays at noon in New York.
    expect(call("time.add_date", [1615654800000000000n, "America/New_York"], 0, 0, 1)).toBe(
      1615737600000000000n,
    );
  });
});
