import { describe, expect, it } from "vitest";
import { fromJSON, RSet } from "../value.ts";
import { walk } from "./graph.ts";
import { call } from "./test-helpers.ts";

describe("graph", () => {
  it("finds reachable nodes through cycles", () => {
    const g = fromJSON({ a: ["b"], b: ["c"], c: ["a"], x: ["x"] });
    expect((call("graph.reachable", g, ["a"]) as RSet).sorted()).toEqual(["a", "b", "c"]);
    expect(() => call("graph.reachable", 1, [1])).toThrow("operand 1 must be object");
  });
  it("builds paths as OPA does, stopping at revisits and missing nodes", () => {
    const g = fromJSON({
      one: ["two", "five"],
      two: ["four"],
      three: [""],
      four: ["three"],
      five: ["seven", "six"],
      six: ["nine", "seven"],
      seven: ["eight"],
      eight: ["three"],
      nine: [""],
    });
    expect((call("graph.reachable_paths", g, new RSet(["one"])) as RSet).sorted()).toEqual([
      ["one", "five", "seven", "eight", "three"],
      ["one", "five", "six"],
      ["one", "five", "six", "nine"],
      ["one", "two", "four", "three"],
    ]);
    expect(() => call("graph.reachable_paths", fromJSON({ a: [] }), "a")).toThrow(
      "operand 2 must be one of {array, set}",
    );
  });
  it("walks documents depth-first, the root first", () => {
    expect([...walk(fromJSON({ a: [1] }))].map((p) => (p as unknown[])[0])).toEqual([
      [],
      ["a"],
      ["a", 0],
    ]);
  });
});
