/** `crypto.md5`, `crypto.sha1`, `crypto.sha256`, `crypto.hmac.*`. */
import type { BuiltinDef, BuiltinTable } from "../types.ts";
import { bytesEqual, stringOperand, toHex, utf8 } from "./bytes.ts";
import { digest, type HashName, hmacDigest } from "./hash.ts";
import { named } from "./named.ts";

function hashBuiltin(name: string, hash: HashName): BuiltinDef {
  return {
    name,
    args: ["string"],
    result: "string",
    fn: (args) => toHex(digest(hash, utf8(stringOperand(args, 0)))),
  };
}

function hmacBuiltin(name: string, hash: HashName): BuiltinDef {
  return {
    name,
    args: ["string", "string"],
    result: "string",
    fn: (args) =>
      toHex(hmacDigest(hash, utf8(stringOperand(args, 1)), utf8(stringOperand(args, 0)))),
  };
}

export const cryptoHashBuiltins: BuiltinTable = named([
  hashBuiltin("crypto.md5", "md5"),
  hashBuiltin("crypto.sha1", "sha1"),
  hashBuiltin("crypto.sha256", "sha256"),
  hmacBuiltin("crypto.hmac.md5", "md5"),
  hmacBuiltin("crypto.hmac.sha1", "sha1"),
  hmacBuiltin("crypto.hmac.sha256", "sha256"),
  hmacBuiltin("crypto.hmac.sha512", "sha512"),
  {
    name: "crypto.hmac.equal",
    args: ["string", "string"],
    result: "boolean",
    fn: (args) => bytesEqual(utf8(stringOperand(args, 0)), utf8(stringOperand(args, 1))),
  },
]);
