import { describe, expect, it } from "vitest";
import { fromJSON, type RObject, toJSON } from "../value.ts";
import { call } from "./test-helpers.ts";

const match = (doc: unknown, schema: unknown) =>
  toJSON(call("json.match_schema", fromJSON(doc), fromJSON(schema))!);

describe("json schema", () => {
  it("reports gojsonschema-style errors", () => {
    const schema = { properties: { id: { type: "integer" } }, required: ["id"] };
    expect(match({ id: 5 }, schema)).toEqual([true, []]);
    expect(match('{"id": 5}', JSON.stringify(schema))).toEqual([true, []]);
    expect(match({ id: "foo" }, schema)).toEqual([
      false,
      [
        {
          desc: "Invalid type. Expected: integer, given: string",
          error: "id: Invalid type. Expected: integer, given: string",
          field: "id",
          type: "invalid_type",
        },
      ],
    ]);
    expect((match({}, schema) as [boolean, RObject[]])[1]).toEqual([
      {
        desc: "id is required",
        error: "(root): id is required",
        field: "(root)",
        type: "required",
      },
    ]);
  });
  it("validates nested keywords", () => {
    const schema = {
      type: "object",
      additionalProperties: false,
      properties: {
        tags: { type: "array", items: { type: "string", pattern: "^[a-z]+$" }, minItems: 1 },
        n: { anyOf: [{ type: "integer", minimum: 3 }, { const: 0 }] },
      },
    };
    expect(match({ tags: ["ok"], n: 0 }, schema)).toEqual([true, []]);
    const [ok, errs] = match({ tags: ["Bad"], n: 1, extra: 1 }, schema) as [
      boolean,
      { type: string }[],
    ];
    expect(ok).toBe(false);
    expect(errs.map((e) => e.type).sort()).toEqual([
      "additional_property_not_allowed",
      "number_any_of",
      "pattern",
    ]);
  });
  it("rejects invalid schemas", () => {
    expect(toJSON(call("json.verify_schema", fromJSON({ type: "unknown_type" }))!)).toEqual([
      false,
      "jsonschema: has a primitive type that is NOT VALID -- given: /unknown_type/ Expected valid values are:[array boolean integer number null object string]",
    ]);
    expect(() => call("json.match_schema", fromJSON({}), fromJSON({ type: "nope" }))).toThrow(
      "json.match_schema: has a primitive type that is NOT VALID",
    );
  });
});
