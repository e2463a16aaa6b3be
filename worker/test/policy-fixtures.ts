import { expect } from "vitest";
import { auditOf, eventsOf } from "./mesh-fixtures.ts";

/**
 * Checks what a create (draft), a replace that activates it and a delete of
 * one untargeted policy of any kind left behind, in that order after `base`:
 * three `rego_policy_updated` to every node, whose `policy` is null, the
 * active version as agents get it (`activeWire`), null; and the kind's
 * create / update / delete audit rows, returned for the kind's own checks.
 */
export async function expectCreateActivateDelete(
  orgId: string,
  base: { revision: number; eventSeq: number },
  id: string,
  kind: { auditType: "rego_policy" | "wasm_policy"; activeWire: Record<string, unknown> },
) {
  const events = (await eventsOf(orgId, base.eventSeq)).filter(
    (e) => e.type === "rego_policy_updated",
  );
  expect(events.map((e) => [e.revision, e.nodeIds])).toEqual([
    [base.revision + 1, null],
    [base.revision + 2, null],
    [base.revision + 3, null],
  ]);
  expect(events.map((e) => e.payload)).toEqual([
    { policy_id: id, policy: null },
    { policy_id: id, policy: kind.activeWire },
    { policy_id: id, policy: null },
  ]);
  const audit = (await auditOf(orgId)).filter((a) => a.targetType === kind.auditType);
  expect(audit.map((a) => a.action)).toEqual(
    ["create", "update", "delete"].map((action) => `${kind.auditType}.${action}`),
  );
  return audit;
}
