import { and, asc, eq } from "drizzle-orm";
import { compile, type Engine } from "@tether/rego";
import { orgs, regoPolicies } from "@tether/schema/tables";
import { policyOwningPath } from "@tether/schema/wire";
import { ApiError } from "../../errors.ts";
import type { Tx } from "../audit.ts";
import { moduleFile, regoErrorsOf } from "./compile.ts";

/**
 * Compiled engines, kept per isolate: compile once, evaluate many. Keys
 * name exactly what was compiled (org + revision for the active set, policy
 * + version for one policy), so an entry never goes stale, it only ages out.
 */
const MAX_ENTRIES = 64;
const cache = new Map<string, unknown>();

function cached<T>(key: string, build: () => T): T {
  const hit = cache.get(key) as T | undefined;
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const made = build();
  cache.set(key, made);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return made;
}

export interface ActivePolicy {
  id: string;
  name: string;
  packagePath: string;
  version: number;
}

export interface ActiveSet {
  /** The org revision the set was read at (decision logs quote it). */
  revision: number;
  engine: Engine;
  policies: ActivePolicy[];
}

/** The org's active Rego policies compiled together, cached per (org, revision). */
export async function activeSet(db: Tx, orgId: string): Promise<ActiveSet> {
  // Revision first: a set read after a newer write is filed under the older
  // revision and replaced on the next call, never the other way round.
  const [org] = await db.select({ revision: orgs.revision }).from(orgs).where(eq(orgs.id, orgId));
  const revision = org?.revision ?? 0;
  const key = `active:${orgId}:${revision}`;
  const hit = cache.get(key) as ActiveSet | undefined;
  if (hit) return cached(key, () => hit);
  const rows = await db
    .select({
      id: regoPolicies.id,
      name: regoPolicies.name,
      packagePath: regoPolicies.packagePath,
      version: regoPolicies.version,
      source: regoPolicies.source,
    })
    .from(regoPolicies)
    .where(and(eq(regoPolicies.orgId, orgId), eq(regoPolicies.status, "active")))
    .orderBy(asc(regoPolicies.name));
  const engine = compileOrRefuse(
    rows.map((r) => ({ file: moduleFile(r.name), source: r.source })),
    "the org's active policies do not compile together",
  );
  const set: ActiveSet = {
    revision,
    engine,
    policies: rows.map(({ source: _, ...p }) => p),
  };
  return cached(key, () => set);
}

/** One stored policy version compiled on its own, cached per (policy, version). */
export function policyEngine(p: { id: string; name: string; version: number; source: string }) {
  return cached(`policy:${p.id}:${p.version}`, () =>
    compileOrRefuse(
      [{ file: moduleFile(p.name), source: p.source }],
      "the policy does not compile",
    ),
  );
}

/** Compiles modules; a failure is a 409 listing the positioned errors. */
export function compileOrRefuse(
  modules: { file: string; source: string }[],
  message: string,
): Engine {
  try {
    return compile(modules);
  } catch (e) {
    const errors = regoErrorsOf(e);
    if (!errors) throw e;
    throw new ApiError("conflict", `${message}: ${errors[0]?.message ?? ""}`, errors);
  }
}

/** The active policy a path belongs to (longest package prefix), for decision logs. */
export function policyForPath(set: ActiveSet, path: string): ActivePolicy | undefined {
  return policyOwningPath(set.policies, path, (p) => p.packagePath);
}
