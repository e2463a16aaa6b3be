import { join } from "node:path";
import type { NodeState } from "@tether/schema/wire";
import { readJsonFile, writeJsonFile } from "./files.ts";
import { NodeStateSchema } from "./schema.ts";

/**
 * The last verified desired state, so `run` without the control plane
 * enforces what it enforced before (DESIGN.md §7 "Cache").
 */
export const cachePath = (dataDir: string) => join(dataDir, "state.json");

export function saveCachedState(dataDir: string, state: NodeState): void {
  writeJsonFile(cachePath(dataDir), { saved_at: new Date().toISOString(), state }, 0o600);
}

/** The cached state, or undefined when there is none or it cannot be trusted (damaged). */
export function loadCachedState(
  dataDir: string,
): { state: NodeState; savedAt: string } | undefined {
  let raw: unknown;
  try {
    raw = readJsonFile(cachePath(dataDir));
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const { saved_at, state } = raw as { saved_at?: unknown; state?: unknown };
  const parsed = NodeStateSchema.safeParse(state);
  if (!parsed.success) return undefined;
  return { state: parsed.data, savedAt: typeof saved_at === "string" ? saved_at : "" };
}
