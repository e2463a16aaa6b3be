import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";

describe("canonicalJson", () => {
  it("sorts keys at every level and drops undefined fields", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("prints dates as ISO strings and null for missing values", () => {
    expect(canonicalJson({ at: new Date(0), x: null })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z","x":null}',
    );
  });
});
