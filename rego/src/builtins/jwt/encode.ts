/** `io.jwt.decode`, `io.jwt.encode_sign` and `io.jwt.encode_sign_raw`. */
import { BuiltinError } from "../../errors.ts";
import { RObject, type Value } from "../../value.ts";
import {
  base64UrlDecode,
  base64UrlEncodeNoPad,
  goJSON,
  stringOperand,
  toHex,
  utf8,
} from "../crypto/bytes.ts";
import { isValidJson, parseJson } from "../crypto/json.ts";
import { type PrivateKey, parseJwks } from "../crypto/keys.ts";
import { JWS_ALGORITHMS, signJws } from "../crypto/sig.ts";
import type { BuiltinContext, BuiltinDef } from "../types.ts";
import { decodeHeader, decodePayloadText, jsonObject, splitToken } from "./token.ts";

function decode(jwt: string): Value {
  const token = splitToken(jwt);
  const header = decodeHeader(token);
  const payloadText = decodePayloadText(token);
  if (header.get("cty") === "JWT") {
    return decode(payloadText.replace(/^["']+|["']+$/g, ""));
  }
  const payload = jsonObject(payloadText);
  let sig: Uint8Array;
  try {
    sig = base64UrlDecode(token.signature);
  } catch (e) {
    throw new BuiltinError(`JWT signature had invalid encoding: ${(e as Error).message}`);
  }
  return [header, payload, toHex(sig)];
}

/** The `alg` of a JOSE header text, with the errors OPA's JWS library gives. */
function headerString(text: string, name: string): string | Error {
  const trimmed = text.trim();
  if (trimmed === "") return new Error("cannot parse JSON: cannot parse empty string");
  let v: Value;
  try {
    v = parseJson(text);
  } catch (e) {
    // The header parser reads a bare run of number characters as a number.
    if (/^[-+0-9.eE]+$/.test(trimmed)) v = 0;
    else return new Error(`cannot parse JSON: ${(e as Error).message}`);
  }
  const x = v instanceof RObject ? v.get(name) : undefined;
  if (x === undefined) return new Error(`jwsbb: header "${name}" not found`);
  if (typeof x !== "string") return new Error(`jwsbb: header "${name}" is not a string`);
  return x;
}

function encodeSign(headers: string, payload: string, jwk: string, ctx: BuiltinContext): string {
  let key: PrivateKey;
  try {
    const keys = parseJwks(jwk);
    if (keys.length === 0) throw new Error("no keys found in JWK set");
    key = keys[0]!.key as PrivateKey;
  } catch (e) {
    throw new BuiltinError((e as Error).message);
  }
  const alg = headerString(headers, "alg");
  if (alg instanceof Error) {
    throw new BuiltinError(`missing or invalid 'alg' header: ${alg.message}`);
  }
  if (!JWS_ALGORITHMS.has(alg)) throw new BuiltinError(`unknown JWS algorithm: ${alg}`);
  const typ = headerString(headers, "typ");
  if ((typ instanceof Error || typ === "JWT") && !isValidJson(payload)) {
    throw new BuiltinError("type is JWT but payload is not JSON");
  }
  const input = `${base64UrlEncodeNoPad(utf8(headers))}.${base64UrlEncodeNoPad(utf8(payload))}`;
  let sig: Uint8Array;
  try {
    sig = signJws(alg, key, utf8(input), (n) => ctx.randomBytes(n));
  } catch (e) {
    throw new BuiltinError(`failed to sign payload: ${(e as Error).message}`);
  }
  return `${input}.${base64UrlEncodeNoPad(sig)}`;
}

export const jwtEncodeBuiltins: readonly BuiltinDef[] = [
  {
    name: "io.jwt.decode",
    args: ["string"],
    result: { static: [{ object: ["any", "any"] }, { object: ["any", "any"] }, "string"] },
    fn: (args) => decode(stringOperand(args, 0)),
  },
  {
    name: "io.jwt.encode_sign",
    args: [
      { object: ["string", "any"] },
      { object: ["string", "any"] },
      { object: ["string", "any"] },
    ],
    result: "string",
    fn: (args, ctx) => encodeSign(goJSON(args[0]!), goJSON(args[1]!), goJSON(args[2]!), ctx),
    nondeterministic: true,
  },
  {
    name: "io.jwt.encode_sign_raw",
    args: ["string", "string", "string"],
    result: "string",
    fn: (args, ctx) =>
      encodeSign(stringOperand(args, 0), stringOperand(args, 1), stringOperand(args, 2), ctx),
    nondeterministic: true,
  },
];
