import { describe, expect, it } from "vitest";
import { equal, fromJSON, type Value } from "../../value.ts";
import type { BuiltinContext } from "../types.ts";
import { graphqlBuiltins } from "./index.ts";

const ctx: BuiltinContext = {
  nowNs: 0n,
  strict: true,
  cache: new Map(),
  randomBytes: (n) => new Uint8Array(n),
};

function call(name: string, ...args: Value[]): Value | undefined {
  const def = graphqlBuiltins.find((b) => b.name === name);
  if (!def) throw new Error(`no builtin ${name}`);
  return def.fn(args, ctx);
}

const SCHEMA = `
  type Query { hero(episode: Episode!): Character }
  enum Episode { NEWHOPE EMPIRE }
  interface Character { id: ID! name: String }
  type Droid implements Character { id: ID! name: String primaryFunction: String }
`;

describe("graphql", () => {
  it("parses a query into gqlparser's pruned AST", () => {
    const ast = call(
      "graphql.parse_query",
      "query Q($e: Episode!) { hero(episode: $e) { name } x: id }",
    );
    const want = fromJSON({
      Operations: [
        {
          Name: "Q",
          Operation: "query",
          SelectionSet: [
            {
              Alias: "hero",
              Arguments: [
                { Name: "episode", Value: { ExpectedTypeHasDefault: false, Kind: 0, Raw: "e" } },
              ],
              Name: "hero",
              SelectionSet: [{ Alias: "name", Name: "name" }],
            },
            { Alias: "x", Name: "id" },
          ],
          VariableDefinitions: [
            { Type: { NamedType: "Episode", NonNull: true }, Used: false, Variable: "e" },
          ],
        },
      ],
    });
    expect(equal(ast!, want)).toBe(true);
  });

  it("parses a schema, with descriptions and list types", () => {
    const ast = call("graphql.parse_schema", '"Hi" type A { f(x: [Int] = 1): String }');
    const want = fromJSON({
      Definitions: [
        {
          BuiltIn: false,
          Description: "Hi",
          Fields: [
            {
              Arguments: [
                {
                  DefaultValue: { ExpectedTypeHasDefault: false, Kind: 1, Raw: "1" },
                  Description: "",
                  Name: "x",
                  Type: {
                    Elem: { NamedType: "Int", NonNull: false },
                    NamedType: "",
                    NonNull: false,
                  },
                },
              ],
              Description: "",
              Name: "f",
              Type: { NamedType: "String", NonNull: false },
            },
          ],
          Kind: "OBJECT",
          Name: "A",
        },
      ],
    });
    expect(equal(ast!, want)).toBe(true);
  });

  it("reports parse errors with gqlparser's text and position", () => {
    expect(() => call("graphql.parse_schema", "type Hello {}")).toThrow(
      "graphql.parse_schema: expected at least one definition, found } in GraphQL string at location 1:13",
    );
    expect(() => call("graphql.parse_query", "{ a(x: ) }")).toThrow("Unexpected )");
  });

  it("validates queries against schemas", () => {
    const ok = "query($e: Episode!) { hero(episode: $e) { id ... on Droid { primaryFunction } } }";
    expect(call("graphql.is_valid", ok, SCHEMA)).toBe(true);
    expect(call("graphql.is_valid", "{ hero { id } }", SCHEMA)).toBe(false);
    expect(call("graphql.is_valid", "{ hero(episode: JEDI) { id } }", SCHEMA)).toBe(false);
    expect(call("graphql.is_valid", "{ hero(episode: EMPIRE) { nope } }", SCHEMA)).toBe(false);
    expect(
      call("graphql.is_valid", "query($u: Int) { hero(episode: EMPIRE) { id } }", SCHEMA),
    ).toBe(false);
    expect(() => call("graphql.parse", "{ hero(episode: EMPIRE) { nope } }", SCHEMA)).toThrow(
      'Cannot query field "nope" on type "Character". Did you mean "name"? in GraphQL string at location 1:27',
    );
    const [valid] = call("graphql.parse_and_verify", "{ hero { id } }", SCHEMA) as Value[];
    expect(valid).toBe(false);
  });

  it("explains invalid values and arguments as gqlparser does", () => {
    const err = (q: string) => {
      try {
        call("graphql.parse", q, SCHEMA);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(err("{ hero(episode: EMPIR) { id } }")).toContain(
      'Value "EMPIR" does not exist in "Episode!" enum. Did you mean the enum value "EMPIRE"?',
    );
    expect(err('{ hero(episode: "EMPIRE") { id } }')).toContain(
      'Enum "Episode!" cannot represent non-enum value: "EMPIRE".',
    );
    expect(err("{ hero(episode: null) { id } }")).toContain(
      'Expected value of type "Episode!", found null',
    );
    expect(err("{ hero(episode: EMPIRE, episod: NEWHOPE) { id } }")).toContain(
      'Unknown argument "episod" on field "Query.hero". Did you mean "episode"?',
    );
    expect(err("{ hero(episode: EMPIRE) }")).toContain(
      'Field "hero" of type "Character" must have a selection of subfields. Did you mean "hero { ... }"?',
    );
    expect(err("query($e: Episode) { hero(episode: $e) { id } }")).toContain(
      'Variable "$e" of type "Episode" used in position expecting type "Episode!"',
    );
  });

  it("checks schemas", () => {
    expect(call("graphql.schema_is_valid", SCHEMA)).toBe(true);
    expect(call("graphql.schema_is_valid", "type A implements B { f: Int }")).toBe(false);
    expect(call("graphql.schema_is_valid", "extend type A { f: Int }")).toBe(true);
    expect(call("graphql.schema_is_valid", "input I { o: O } type O { f: Int }")).toBe(false);
  });

  it("gives the same answers from the schema cache", () => {
    const bad = "type A implements Missing { f: Int }";
    for (let i = 0; i < 2; i++) {
      expect(call("graphql.schema_is_valid", bad)).toBe(false);
      expect(() => call("graphql.parse", "{ f }", bad)).toThrow(
        'Error in gqlparser SchemaDocument to Schema conversion: input:1:6: Undefined type "Missing".',
      );
      expect(call("graphql.is_valid", "{ hero(episode: A) { id } }", SCHEMA)).toBe(false);
      expect(call("graphql.is_valid", "{ hero(episode: EMPIRE) { id } }", SCHEMA)).toBe(true);
    }
  });

  it("accepts AST objects in place of text", () => {
    const q = call("graphql.parse_query", "{ hero(episode: NEWHOPE) { name } }")!;
    const s = call("graphql.parse_schema", SCHEMA)!;
    expect(call("graphql.is_valid", q, s)).toBe(true);
    const [q2, s2] = call("graphql.parse", q, s) as Value[];
    expect(equal(q2!, q) && equal(s2!, s)).toBe(true);
  });
});
