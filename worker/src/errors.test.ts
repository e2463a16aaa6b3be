import { describe, expect, it } from "vitest";
import { ApiError, ERROR_STATUS, fieldIssues, formatPath, validationError } from "./errors.ts";

describe("error vocabulary", () => {
  it("maps every code to a 4xx or 5xx status", () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(new ApiError(code as keyof typeof ERROR_STATUS, "m").status).toBe(status);
    }
  });

  it("formats field paths like rules[2].port", () => {
    expect(formatPath(["rules", 2, "port"])).toBe("rules[2].port");
    expect(formatPath([])).toBe("");
  });

  it("reports unknown fields at their own path", () => {
    const issues = fieldIssues(
      [
        { code: "unrecognized_keys", path: ["a"], message: "x", keys: ["b", "c"] },
        { code: "too_small", path: ["name"], message: "must not be empty" },
      ],
      "body",
    );
    expect(issues).toEqual([
      { path: "body.a.b", message: "unknown field" },
      { path: "body.a.c", message: "unknown field" },
      { path: "body.name", message: "must not be empty" },
    ]);
    const err = validationError(issues);
    expect(err.status).toBe(400);
    expect(err.message).toContain("body.name: must not be empty");
  });
});
