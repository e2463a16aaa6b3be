import { compile, toJSON, type Value } from "@tether/rego";
import { apps, decisionLogs, syscallEvents } from "@tether/schema/tables";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { api, newOrg, testDatabase } from "../../test/fixtures.ts";

const ACTIVE = `package tether.sandbox

default allow := false

allow if input.syscall_name in {"read", "write", "openat"}

reasons contains msg if {
  not allow
  msg := sprintf("%s by %s", [input.syscall_name, input.comm])
}
`;

const DRAFT = ACTIVE.replace('{"read", "write", "openat"}', '{"read", "write", "connect"}');

/** What the engine itself says, computed in the test. */
function engineSays(source: string, path: string, input: unknown) {
  const r = compile({ "p.rego": source }).evalPath(path, { input });
  return r.defined ? { defined: true, value: toJSON(r.value as Value) } : { defined: false };
}

async function activate(key: string, name: string, source: string) {
  const res = await api("POST", "/api/opa/policies", {
    key,
    body: { name, source, status: "active" },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** A seeded history: `n` syscall events of one app, cycling through names. */
async function seedSyscalls(orgId: string, names: string[], n: number) {
  const { db, close } = testDatabase();
  try {
    const [app] = await db
      .insert(apps)
      .values({ orgId, slug: `app-${crypto.randomUUID().slice(0, 8)}`, name: "sandboxed" })
      .returning();
    const t0 = Date.parse("2026-02-21T08:00:00Z");
    const rows = Array.from({ length: n }, (_, i) => ({
      orgId,
      appId: app!.id,
      batchId: "seed",
      timestamp: new Date(t0 + i * 1000),
      syscallName: names[i % names.length]!,
      syscallNum: i % 300,
      pid: 1000 + (i % 7),
      comm: i % 2 ? "python" : "node",
      args: `/tmp/f${i}`,
      returnValue: 0,
      success: true,
    }));
    for (let i = 0; i < rows.length; i += 1000) {
      await db.insert(syscallEvents).values(rows.slice(i, i + 1000));
    }
    return { app: app!, rows };
  } finally {
    await close();
  }
}

describe("/api/opa/evaluate, /validate, /simulate and /api/decisions", () => {
  it("evaluates over the active policies like the engine does, logs each decision, omits undefined results", async () => {
    const org = await newOrg();
    const policyId = await activate(org.adminKey, "sandbox", ACTIVE);
    for (const input of [
      { syscall_name: "read", comm: "node" },
      { syscall_name: "execve", comm: "sh" },
    ]) {
      for (const path of ["tether/sandbox/allow", "data.tether.sandbox.reasons"]) {
        const res = await api("POST", "/api/opa/evaluate", {
          key: org.readKey,
          body: { path, input },
        });
        expect(res.status).toBe(200);
        const want = engineSays(
          ACTIVE,
          path.startsWith("data.") ? path : `data.${path.replaceAll("/", ".")}`,
          input,
        );
        expect(res.body.result).toEqual(want.value);
        expect(res.body.decision_id).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.body.policy_id).toBe(policyId);
      }
    }
    const undef = await api("POST", "/api/opa/evaluate", {
      key: org.readKey,
      body: { path: "tether/sandbox/nothing", input: {} },
    });
    expect(undef.status).toBe(200);
    expect("result" in undef.body).toBe(false);
    const byId = await api("POST", "/api/opa/evaluate", {
      key: org.readKey,
      body: { policy_id: policyId, input: { syscall_name: "write" } },
    });
    expect(byId.body.result).toEqual(
      engineSays(ACTIVE, "data.tether.sandbox", { syscall_name: "write" }).value,
    );

    const logs = await api("GET", "/api/decisions?limit=2", { key: org.readKey });
    expect(logs.status).toBe(200);
    expect(logs.body.decisions).toHaveLength(2);
    expect(logs.body.decisions[0]).toMatchObject({
      decision_id: byId.body.decision_id,
      path: "tether/sandbox",
      input: { syscall_name: "write" },
      policy_id: policyId,
      source: "server",
    });
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { decisions: { decision_id: string }[]; next_cursor: string | null } } =
        await api("GET", `/api/decisions?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
          key: org.readKey,
        });
      all.push(...page.body.decisions.map((d) => d.decision_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(all).toHaveLength(6);
    expect(new Set(all).size).toBe(6);
    const denied = await api("GET", "/api/decisions?path=data.tether.sandbox.allow&result=false", {
      key: org.readKey,
    });
    expect(denied.body.decisions.map((d: { input: unknown }) => d.input)).toEqual([
      { syscall_name: "execve", comm: "sh" },
    ]);
    const undefOnly = await api("GET", "/api/decisions?result=undefined", { key: org.readKey });
    expect(undefOnly.body.decisions).toHaveLength(1);
    expect("result" in undefOnly.body.decisions[0]).toBe(false);
    const other = await newOrg();
    expect((await api("GET", "/api/decisions", { key: other.readKey })).body.decisions).toEqual([]);
    const badCursor = await api("GET", "/api/decisions?cursor=abc", { key: org.readKey });
    expect(badCursor.status).toBe(400);
  });

  it("answers an evaluation error with 400 and the Rego error", async () => {
    const org = await newOrg();
    await activate(org.adminKey, "conflict", "package c\n\nx := 1 if input.a\nx := 2 if input.b\n");
    const res = await api("POST", "/api/opa/evaluate", {
      key: org.readKey,
      body: { path: "c/x", input: { a: true, b: true } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe("eval_conflict_error");
    // A defined null is logged as null, not as undefined.
    await activate(org.adminKey, "nothing", "package n\n\nv := null\n");
    const nul = await api("POST", "/api/opa/evaluate", { key: org.readKey, body: { path: "n/v" } });
    expect(nul.body.result).toBeNull();
    const logged = await api("GET", "/api/decisions?path=n/v", { key: org.readKey });
    expect(logged.body.decisions[0].result).toBeNull();
    const undef = await api("GET", "/api/decisions?path=n/v&result=undefined", {
      key: org.readKey,
    });
    expect(undef.body.decisions).toEqual([]);
  });

  it("validate reports positioned parse, unsafe-var, undefined-function and type errors", async () => {
    const org = await newOrg();
    const cases: [string, string, number, number][] = [
      ["package p\n\nallow if {", "rego_parse_error", 3, 11],
      ["package p\n\nallow if {\n  x := 1\n  y == x\n}\n", "rego_unsafe_var_error", 5, 3],
      ["package p\n\nallow if foo(input.x)\n", "rego_type_error", 3, 10],
      ['package p\n\nallow if {\n  x := 1 + "a"\n}\n', "rego_type_error", 4, 8],
    ];
    for (const [source, code, line, col] of cases) {
      const res = await api("POST", "/api/opa/validate", { key: org.readKey, body: { source } });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.errors[0], source).toMatchObject({ code, line, col });
      expect(res.body.errors[0].message).toBeTruthy();
    }
    expect(
      res0(await api("POST", "/api/opa/validate", { key: org.readKey, body: { source: ACTIVE } })),
    ).toEqual({
      ok: true,
      package_path: "tether.sandbox",
    });
  });

  it("simulate replays a draft over stored events: counts and the exact changed list", async () => {
    const org = await newOrg();
    await activate(org.adminKey, "sandbox", ACTIVE);
    const names = ["read", "write", "openat", "connect", "execve"];
    const { app, rows } = await seedSyscalls(org.orgId, names, 50);
    const res = await api("POST", "/api/opa/simulate", {
      key: org.readKey,
      body: { source: DRAFT, against: { kind: "syscall", app: app.slug, limit: 10_000 } },
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(50);
    expect(res.body.path).toBe("tether/sandbox/allow");
    // Computed independently: the engine over each row's input.
    const draft = compile({ "d.rego": DRAFT });
    const active = compile({ "a.rego": ACTIVE });
    const decide = (e: typeof draft, name: string) =>
      JSON.stringify(
        toJSON(
          e.evalPath("data.tether.sandbox.allow", { input: { syscall_name: name } }).value as Value,
        ),
      );
    const expected = rows
      .map((r, i) => ({ i, a: decide(active, r.syscallName), d: decide(draft, r.syscallName) }))
      .filter((x) => x.a !== x.d);
    expect(res.body.changed_count).toBe(expected.length);
    expect(res.body.changed.map((c: { timestamp: string }) => c.timestamp)).toEqual(
      expected.map((x) => rows[x.i]!.timestamp.toISOString()),
    );
    expect(res.body.outcomes).toEqual({
      draft: { true: 30, false: 20 },
      active: { true: 30, false: 20 },
    });
    expect(res.body.samples[0].input).toMatchObject({
      kind: "syscall",
      app_id: app.slug,
      syscall_name: "openat",
      comm: "node",
      pid: 1002,
      success: true,
    });
    expect(res.body.samples[0]).toMatchObject({
      active: { defined: true, value: true },
      draft: { defined: true, value: false },
    });
    // Simulation logs nothing.
    const { db, close } = testDatabase();
    try {
      expect(await db.$count(decisionLogs, eq(decisionLogs.orgId, org.orgId))).toBe(0);
    } finally {
      await close();
    }
  });

  it("simulate replays stored decisions and a stored policy by id; refuses a draft that does not compile", async () => {
    const org = await newOrg();
    await activate(org.adminKey, "sandbox", ACTIVE);
    for (const name of ["read", "connect", "openat"]) {
      await api("POST", "/api/opa/evaluate", {
        key: org.readKey,
        body: { path: "tether/sandbox/allow", input: { syscall_name: name, comm: "x" } },
      });
    }
    const draft = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "draft", source: DRAFT },
    });
    const res = await api("POST", "/api/opa/simulate", {
      key: org.readKey,
      body: {
        policy_id: draft.body.id,
        against: { decisions: { path: "data.tether.sandbox.allow", limit: 100 } },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    expect(res.body.changed.map((c: { draft: { value: unknown } }) => c.draft.value)).toEqual([
      true,
      false,
    ]);
    const broken = await api("POST", "/api/opa/simulate", {
      key: org.readKey,
      body: { source: "package x\nallow if {", against: { kind: "file" } },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.details[0]).toMatchObject({ code: "rego_parse_error", line: 2 });
    const tooMany = await api("POST", "/api/opa/simulate", {
      key: org.readKey,
      body: { source: DRAFT, against: { kind: "file", limit: 10_001 } },
    });
    expect(tooMany.status).toBe(400);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: response bodies
const res0 = (r: { body: any }) => r.body;
