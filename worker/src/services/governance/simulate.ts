import { type Engine, RegoError } from "@tether/rego";
import { evalAt, outcomeKey, type PathValue } from "./compile.ts";
import type { ReplayItem } from "./replay.ts";

export interface Changed {
  id: string | number;
  timestamp: string;
  active: PathValue;
  draft: PathValue;
}

export interface SimulationReport {
  total: number;
  /** Count per outcome (`true`, `false`, `undefined`, other JSON, `error`). */
  outcomes: { draft: Record<string, number>; active: Record<string, number> };
  /** Every replayed item whose draft decision differs from the active one, in replay order. */
  changed: Changed[];
  /** The first changed items with their inputs. */
  samples: (Changed & { input: unknown })[];
  errors: { id: string | number; side: "draft" | "active"; code: string; message: string }[];
}

const SAMPLES = 20;
const MAX_ERRORS = 20;

/** Replays inputs through the draft and the active engine (each compiled once). */
export function simulate(
  draft: Engine,
  active: Engine,
  path: string,
  items: readonly ReplayItem[],
): SimulationReport {
  const report: SimulationReport = {
    total: items.length,
    outcomes: { draft: {}, active: {} },
    changed: [],
    samples: [],
    errors: [],
  };
  const run = (engine: Engine, item: ReplayItem, side: "draft" | "active") => {
    try {
      const r = evalAt(engine, path, item.input);
      return { r, key: outcomeKey(r) };
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      if (report.errors.length < MAX_ERRORS) {
        report.errors.push({ id: item.id, side, code: e.code, message: e.message });
      }
      return { r: { defined: false }, key: "error" };
    }
  };
  for (const item of items) {
    const d = run(draft, item, "draft");
    const a = run(active, item, "active");
    report.outcomes.draft[d.key] = (report.outcomes.draft[d.key] ?? 0) + 1;
    report.outcomes.active[a.key] = (report.outcomes.active[a.key] ?? 0) + 1;
    if (d.key !== a.key) {
      const change = { id: item.id, timestamp: item.timestamp, active: a.r, draft: d.r };
      report.changed.push(change);
      if (report.samples.length < SAMPLES) report.samples.push({ ...change, input: item.input });
    }
  }
  return report;
}
