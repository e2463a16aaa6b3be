import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.ts";
import { validatedEnv } from "./services.ts";

const namespace = { idFromName: () => ({}) };

function bindings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    DATABASE_URL: "postgres://u@127.0.0.1:5432/db",
    SIGNING_KEY_SECRET: "s".repeat(32),
    HUB: namespace,
    RATE_LIMITER: namespace,
    ...overrides,
  };
}

describe("validatedEnv", () => {
  it("validates a bindings object once and hands back the same settings after", () => {
    const raw = bindings({ EVENT_RETENTION_DAYS: "3" });
    const first = validatedEnv(raw);
    expect(first.EVENT_RETENTION_DAYS).toBe(3);
    expect(validatedEnv(raw)).toBe(first);
  });

  it("validates each bindings object on its own", () => {
    const a = validatedEnv(bindings({ EVENT_RETENTION_DAYS: "3" }));
    const b = validatedEnv(bindings({ EVENT_RETENTION_DAYS: "9" }));
    expect([a.EVENT_RETENTION_DAYS, b.EVENT_RETENTION_DAYS]).toEqual([3, 9]);
  });

  it("refuses a bad one every time, naming the binding", () => {
    const raw = bindings({ SIGNING_KEY_SECRET: "short" });
    for (let i = 0; i < 2; i++) {
      let caught: unknown;
      try {
        validatedEnv(raw);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ApiError);
      expect((caught as ApiError).code).toBe("config_invalid");
      expect((caught as ApiError).message).toContain("env.SIGNING_KEY_SECRET");
    }
  });
});
