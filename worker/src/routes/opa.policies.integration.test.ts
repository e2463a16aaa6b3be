import { describe, expect, it } from "vitest";
import { api, newOrg } from "../../test/fixtures.ts";
import { eventsOf, insertNodes, orgCounters } from "../../test/mesh-fixtures.ts";
import { expectCreateActivateDelete } from "../../test/policy-fixtures.ts";

const SOURCE = `package tether.sandbox

default allow := false

allow if input.syscall_name in {"read", "write"}
`;

const TESTS = `package tether.sandbox_test

import data.tether.sandbox

test_read_allowed if sandbox.allow with input as {"syscall_name": "read"}

test_exec_denied if not sandbox.allow with input as {"syscall_name": "execve"}
`;

describe("/api/opa/policies", () => {
  it("creates, reads, replaces, lists versions of and deletes a policy; every write bumps the revision, writes audit and sends rego_policy_updated", async () => {
    const org = await newOrg();
    const base = await orgCounters(org.orgId);
    const created = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "sandbox", source: SOURCE, tests: TESTS },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "sandbox",
      package_path: "tether.sandbox",
      source: SOURCE,
      tests: TESTS,
      version: 1,
      status: "draft",
      mode: "audit",
      target_apps: [],
      target_nodes: [],
      revision: base.revision + 1,
    });
    const id = created.body.id as string;
    const got = await api("GET", `/api/opa/policies/${id}`, { key: org.readKey });
    expect(got.body).toEqual(created.body);
    expect((await api("GET", "/api/opa/policies", { key: org.readKey })).body.policies).toEqual([
      created.body,
    ]);

    const v2source = SOURCE.replace('"write"', '"write", "close"');
    const activated = await api("PUT", `/api/opa/policies/${id}`, {
      key: org.adminKey,
      body: { name: "sandbox", source: v2source, tests: TESTS, status: "active", mode: "enforce" },
    });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ version: 2, status: "active", mode: "enforce" });

    const versions = await api("GET", `/api/opa/policies/${id}/versions`, { key: org.readKey });
    expect(versions.status).toBe(200);
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions.body.versions[0]).toMatchObject({
      source: v2source,
      status: "active",
      actor_id: org.adminKeyId,
    });
    expect(versions.body.versions[1].source).toBe(SOURCE);

    const deleted = await api("DELETE", `/api/opa/policies/${id}`, { key: org.adminKey });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id, deleted: true, revision: base.revision + 3 });
    expect((await api("GET", `/api/opa/policies/${id}`, { key: org.readKey })).status).toBe(404);

    await expectCreateActivateDelete(org.orgId, base, id, {
      auditType: "rego_policy",
      activeWire: {
        kind: "rego",
        id,
        name: "sandbox",
        package_path: "tether.sandbox",
        source: v2source,
        version: 2,
        revision: base.revision + 2,
        mode: "enforce",
        target_nodes: [],
      },
    });
  });

  it("sends rego_policy_updated only to the targeted nodes (old and new targets)", async () => {
    const org = await newOrg();
    const [a, b, c] = await insertNodes(org.orgId, [{}, {}, {}]);
    const base = await orgCounters(org.orgId);
    const body = { name: "targeted", source: SOURCE, status: "active", target_nodes: [a!.id] };
    const created = await api("POST", "/api/opa/policies", { key: org.adminKey, body });
    expect(created.status).toBe(201);
    await api("PUT", `/api/opa/policies/${created.body.id}`, {
      key: org.adminKey,
      body: { ...body, target_nodes: [b!.id] },
    });
    const events = (await eventsOf(org.orgId, base.eventSeq)).filter(
      (e) => e.type === "rego_policy_updated",
    );
    expect(events.map((e) => e.nodeIds)).toEqual([[a!.id], [a!.id, b!.id].sort()]);
    expect(events.flatMap((e) => e.nodeIds)).not.toContain(c!.id);

    const unknown = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { ...body, name: "other", target_nodes: [crypto.randomUUID()] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe("body.target_nodes");
  });

  it("refuses a module that does not compile with positioned errors, and writes nothing", async () => {
    const org = await newOrg();
    const base = await orgCounters(org.orgId);
    const res = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "broken", source: "package p\n\nallow if {\n  x := 1\n  y == x\n}\n" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details).toEqual([
      expect.objectContaining({
        path: "body.source",
        code: "rego_unsafe_var_error",
        file: "broken.rego",
        line: 5,
        col: 3,
      }),
    ]);
    const parse = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "broken", source: "package p\n\nallow if {" },
    });
    expect(parse.status).toBe(400);
    expect(parse.body.error.details[0]).toMatchObject({ code: "rego_parse_error", line: 3 });
    expect(await orgCounters(org.orgId)).toEqual(base);
  });

  it("the tests gate refuses an activation naming the failing tests; a draft with failing tests saves", async () => {
    const org = await newOrg();
    const permissive = SOURCE.replace('{"read", "write"}', '{"read", "write", "execve"}');
    const draft = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "gate", source: permissive, tests: TESTS },
    });
    expect(draft.status).toBe(201);
    const base = await orgCounters(org.orgId);
    const refused = await api("PUT", `/api/opa/policies/${draft.body.id}`, {
      key: org.adminKey,
      body: { name: "gate", source: permissive, tests: TESTS, status: "active" },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("conflict");
    expect(refused.body.error.message).toContain("data.tether.sandbox_test.test_exec_denied");
    expect(refused.body.error.details.failed_tests).toEqual([
      { name: "test_exec_denied", package: "data.tether.sandbox_test", error: null },
    ]);
    expect(await orgCounters(org.orgId)).toEqual(base);
    const got = await api("GET", `/api/opa/policies/${draft.body.id}`, { key: org.readKey });
    expect(got.body).toMatchObject({ status: "draft", version: 1 });

    const created = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "gate2", source: permissive, tests: TESTS, status: "active" },
    });
    expect(created.status).toBe(409);
  });

  it("refuses duplicate names (409) and an active module that conflicts with the active set", async () => {
    const org = await newOrg();
    const one = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "one", source: "package shared\n\nx := 1\n", status: "active" },
    });
    expect(one.status).toBe(201);
    const dup = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "one", source: "package other\n" },
    });
    expect(dup.status).toBe(409);
    const clash = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "two", source: "package shared\n\nx contains 1\n", status: "active" },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toContain("would not compile together");
    // As a draft it is fine: drafts are compiled alone.
    const asDraft = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "two", source: "package shared\n\nx contains 1\n" },
    });
    expect(asDraft.status).toBe(201);
  });

  it("validates bodies and hides other orgs' policies", async () => {
    const [org, other] = await Promise.all([newOrg(), newOrg()]);
    const bad = await api("POST", "/api/opa/policies", {
      key: org.adminKey,
      body: { name: "", source: SOURCE, status: "on", extra: 1 },
    });
    expect(bad.status).toBe(400);
    const paths = [...new Set(bad.body.error.details.map((d: { path: string }) => d.path))].sort();
    expect(paths).toEqual(["body.extra", "body.name", "body.status"]);
    const theirs = await api("POST", "/api/opa/policies", {
      key: other.adminKey,
      body: { name: "theirs", source: SOURCE },
    });
    const id = theirs.body.id as string;
    expect((await api("GET", `/api/opa/policies/${id}`, { key: org.readKey })).status).toBe(404);
    expect(
      (await api("GET", `/api/opa/policies/${id}/versions`, { key: org.readKey })).status,
    ).toBe(404);
    const put = await api("PUT", `/api/opa/policies/${id}`, {
      key: org.adminKey,
      body: { name: "mine", source: SOURCE },
    });
    expect(put.status).toBe(404);
    expect((await api("DELETE", `/api/opa/policies/${id}`, { key: org.adminKey })).status).toBe(
      404,
    );
    expect((await api("GET", "/api/opa/policies", { key: org.readKey })).body.policies).toEqual([]);
    const write = await api("POST", "/api/opa/policies", {
      key: org.readKey,
      body: { name: "x", source: SOURCE },
    });
    expect(write.status).toBe(403);
  });
});
