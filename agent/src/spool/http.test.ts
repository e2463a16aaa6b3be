import { describe, expect, it } from "vitest";
import { httpOutcome, parseRetryAfter } from "./http.ts";

const res = (status: number, body = "", headers: Record<string, string> = {}) =>
  new Response(body === "" ? null : body, { status, headers });

describe("httpOutcome", () => {
  it("treats 2xx as sent, noting the receiver's duplicate flag", async () => {
    expect(await httpOutcome(res(200, '{"duplicate":true}'))).toEqual({
      kind: "sent",
      duplicate: true,
    });
    expect(await httpOutcome(res(201, '{"duplicate":false}'))).toEqual({
      kind: "sent",
      duplicate: false,
    });
    expect(await httpOutcome(res(204))).toEqual({ kind: "sent", duplicate: false });
  });

  it("rejects permanent 4xx with the body as the reason", async () => {
    for (const status of [400, 403, 413, 415, 422]) {
      const outcome = await httpOutcome(res(status, '{"error":{"code":"invalid"}}'));
      expect(outcome).toEqual({
        kind: "rejected",
        reason: `HTTP ${status}: {"error":{"code":"invalid"}}`,
      });
    }
  });

  it("retries 429 after Retry-After, and 401/404/5xx after a backoff", async () => {
    expect(await httpOutcome(res(429, "", { "retry-after": "7" }))).toEqual({
      kind: "retry",
      reason: "HTTP 429",
      retryAfterMs: 7000,
    });
    expect(await httpOutcome(res(429))).toEqual({ kind: "retry", reason: "HTTP 429" });
    for (const status of [401, 404, 500, 502, 503])
      expect((await httpOutcome(res(status))).kind).toBe("retry");
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates, and ignores garbage", () => {
    const now = Date.parse("2026-02-21T08:00:00Z");
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
    expect(parseRetryAfter("Sat, 21 Feb 2026 08:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Sat, 21 Feb 2026 07:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
