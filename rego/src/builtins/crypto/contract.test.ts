/**
 * The crypto, JWT, X.509, GraphQL and AWS builtins, called with operands of
 * every type and some near-miss texts, return a value or throw one of the
 * engine's typed errors, prefixed with the builtin's name, and never hang.
 */
import { describe, expect, it } from "vitest";
import { BuiltinError, OperandTypeError } from "../../errors.ts";
import { RObject, RSet, type Value } from "../../value.ts";
import { awsBuiltins } from "../aws/index.ts";
import { graphqlBuiltins } from "../graphql/index.ts";
import { jwtBuiltins } from "../jwt/index.ts";
import type { BuiltinContext, BuiltinTable } from "../types.ts";
import { x509Builtins } from "../x509/index.ts";
import { cryptoHashBuiltins } from "./hashes.ts";

const SAMPLES: Value[] = [
  null,
  true,
  0,
  -1,
  2.5,
  1e300,
  2n ** 70n,
  "",
  "😀x",
  "a.b.c",
  "eyJhbGciOiJIUzI1NiJ9.e30.",
  "{}",
  '{"keys":[{"kty":"oct","k":"AA"}]}',
  "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
  "type Query { a: Int }",
  "{ a }",
  [],
  ["a", 1],
  new RObject(),
  RObject.fromRecord({ secret: "x", cert: "{}" }),
  RObject.fromRecord({ method: "get", url: "http://x/y", aws_service: "s3" }),
  new RSet(["a"]),
];

const ctx: BuiltinContext = {
  nowNs: 1_700_000_000_000_000_000n,
  strict: true,
  cache: new Map(),
  randomBytes: (n) => new Uint8Array(n),
};

const TABLES: BuiltinTable[] = [
  cryptoHashBuiltins,
  jwtBuiltins,
  x509Builtins,
  graphqlBuiltins,
  awsBuiltins,
];

describe("builtin contract", () => {
  for (const b of TABLES.flat()) {
    it(`${b.name} fails only with typed, named errors`, () => {
      const n = b.args.length;
      for (let i = 0; i < SAMPLES.length; i++) {
        for (let j = 0; j < (n > 1 ? SAMPLES.length : 1); j++) {
          const args = [SAMPLES[i]!, SAMPLES[j]!, SAMPLES[(i + j) % SAMPLES.length]!].slice(0, n);
          try {
            b.fn(args, ctx);
          } catch (e) {
            expect(e instanceof BuiltinError || e instanceof OperandTypeError).toBe(true);
            expect((e as Error).message.startsWith(`${b.name}: `)).toBe(true);
          }
        }
      }
    });
  }
});
