import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { api } from "./fixtures.ts";

describe("platform routes", () => {
  it("GET /healthz reports the database reachable", async () => {
    const res = await api("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ok", database: { reachable: true } });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("GET /healthz answers 503 when the database is unreachable", async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://tether.test/healthz"),
      { ...env, DATABASE_URL: "postgres://postgres:postgres@127.0.0.1:1/postgres" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { database: { reachable: boolean; error: string } };
    expect(body.database.reachable).toBe(false);
    expect(body.database.error).not.toContain("postgres:postgres");
  });

  it("answers 500 config_invalid naming the binding when the env is wrong", async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://tether.test/healthz"),
      { ...env, SIGNING_KEY_SECRET: "short" },
      ctx,
    );
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe("config_invalid");
    expect(body.error.details[0]!.path).toBe("env.SIGNING_KEY_SECRET");
  });

  it("keeps the caller's request id and makes one otherwise", async () => {
    const given = await api("GET", "/nope", { headers: { "x-request-id": "req-123" } });
    expect(given.headers.get("x-request-id")).toBe("req-123");
    expect(given.body.error.request_id).toBe("req-123");
    const odd = await api("GET", "/nope", { headers: { "x-request-id": "bad id with spaces" } });
    expect(odd.body.error.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves an OpenAPI 3.1 description of every route", async () => {
    const res = await api("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(["/healthz", "/api/keys", "/api/keys/{id}", "/api/bootstrap"]),
    );
  });
});
