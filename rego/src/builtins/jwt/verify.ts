/** `io.jwt.verify_*` and `io.jwt.decode_verify`. */
import { ed25519 } from "@noble/curves/ed25519.js";
import { BuiltinError } from "../../errors.ts";
import { compare, RObject, type Value } from "../../value.ts";
import { bytesEqual, objectOperand, stringOperand, utf8 } from "../crypto/bytes.ts";
import { digest, type HashName, hmacDigest } from "../crypto/hash.ts";
import type { PublicKey } from "../crypto/keys.ts";
import { verifyPkcs1v15, verifyPss } from "../crypto/rsa.ts";
import { verifyEcdsaRaw, verifyJws } from "../crypto/sig.ts";
import type { BuiltinContext, BuiltinDef } from "../types.ts";
import {
  decodeHeader,
  decodePayloadText,
  decodeSignature,
  headerValid,
  jsonObject,
  keysFromCertOrJwk,
  parseHeader,
  signingInput,
  splitToken,
  type VerificationKey,
  verifyWithKeys,
} from "./token.ts";

type Verifier = (key: PublicKey, input: Uint8Array, sig: Uint8Array) => boolean;

const HASH: Record<string, HashName> = { "256": "sha256", "384": "sha384", "512": "sha512" };

function verifierFor(family: string, bits: string): Verifier {
  const hash = HASH[bits]!;
  switch (family) {
    case "rs":
      return (k, m, s) => k.kind === "rsa" && verifyPkcs1v15(k, hash, digest(hash, m), s);
    case "ps":
      return (k, m, s) => k.kind === "rsa" && verifyPss(k, hash, digest(hash, m), s);
    default:
      return (k, m, s) => k.kind === "ec" && verifyEcdsaRaw(k.curve, k.point, digest(hash, m), s);
  }
}

const verifyEd25519: Verifier = (k, m, s) => {
  if (k.kind !== "ed25519") return false;
  try {
    return ed25519.verify(s, m, k.pub, { zip215: false });
  } catch {
    return false;
  }
};

function asymmetric(name: string, verify: Verifier): BuiltinDef {
  return {
    name,
    args: ["string", "string"],
    result: "boolean",
    fn: (args) => {
      const token = splitToken(stringOperand(args, 0));
      const keys = keysFromCertOrJwk(stringOperand(args, 1));
      const sig = decodeSignature(token);
      const header = parseHeader(decodeHeader(token));
      const input = signingInput(token);
      return verifyWithKeys(keys, header.kid, header.alg, (k) => verify(k, input, sig));
    },
  };
}

function hmacVerify(name: string, hash: HashName): BuiltinDef {
  return {
    name,
    args: ["string", "string"],
    result: "boolean",
    fn: (args) => {
      const jwt = stringOperand(args, 0);
      const secret = stringOperand(args, 1);
      const token = splitToken(jwt);
      const mac = hmacDigest(hash, utf8(secret), signingInput(token));
      return bytesEqual(decodeSignature(token), mac);
    },
  };
}

// ---- decode_verify -----------------------------------------------------

interface Constraints {
  secret: string;
  alg: string;
  iss: string;
  aud: string;
  keys: VerificationKey[] | undefined;
  time: number;
}

function timeFrom(v: Value): number {
  if (typeof v !== "number" && typeof v !== "bigint") {
    throw new BuiltinError("token time constraint: must be a number");
  }
  const t = Number(v);
  if (t < 0) throw new BuiltinError("token time constraint: must not be negative");
  return t;
}

function parseConstraints(o: RObject, nowNs: bigint): Constraints {
  const c: Constraints = { secret: "", alg: "", iss: "", aud: "", keys: undefined, time: -1 };
  for (const [k, v] of o.entries()) {
    const name = typeof k === "string" ? k : String(k);
    switch (name) {
      case "cert":
        if (typeof v !== "string") throw new BuiltinError("cert constraint: must be a string");
        c.keys = keysFromCertOrJwk(v);
        break;
      case "secret":
      case "alg":
      case "iss":
      case "aud":
        if (typeof v !== "string") throw new BuiltinError(`${name} constraint: must be a string`);
        c[name] = v;
        break;
      case "time":
        c.time = timeFrom(v);
        break;
      default:
        throw new BuiltinError(`unknown token validation constraint: ${name}`);
    }
  }
  if (c.time === -1) c.time = Number(nowNs);
  const nKeys = (c.keys ? 1 : 0) + (c.secret !== "" ? 1 : 0);
  if (nKeys > 1) throw new BuiltinError("duplicate key constraints");
  if (nKeys < 1) throw new BuiltinError("no key constraint");
  return c;
}

function validAudience(aud: Value, want: string): boolean {
  if (typeof aud === "string") return aud === want;
  return Array.isArray(aud) && (aud as Value[]).some((x) => x === want);
}

const UNVERIFIED: Value = [false, new RObject(), new RObject()];

function decodeVerify(args: readonly Value[], ctx: BuiltinContext): Value {
  let jwt = stringOperand(args, 0);
  const c = parseConstraints(objectOperand(args, 1), ctx.nowNs);
  let header: RObject;
  let payloadText: string;
  for (;;) {
    const token = splitToken(jwt);
    header = decodeHeader(token);
    const h = parseHeader(header);
    if (!headerValid(h)) return UNVERIFIED;
    if (c.alg !== "" && c.alg !== h.alg) return UNVERIFIED;
    const sig = decodeSignature(token);
    const input = signingInput(token);
    const ok = c.keys
      ? verifyWithKeys(c.keys, h.kid, h.alg, (k) => verifyJws(h.alg, k, input, sig))
      : verifyJws(h.alg, { kind: "oct", k: utf8(c.secret) }, input, sig);
    if (!ok) return UNVERIFIED;
    payloadText = decodePayloadText(token);
    if (h.cty.toUpperCase() === "JWT") {
      jwt = payloadText;
      continue;
    }
    break;
  }
  const payload = jsonObject(payloadText);
  if (c.iss !== "") {
    const iss = payload.get("iss");
    if (iss === undefined || iss !== c.iss) return UNVERIFIED;
  }
  const aud = payload.get("aud");
  if (aud !== undefined ? !validAudience(aud, c.aud) : c.aud !== "") return UNVERIFIED;
  const now = c.time / 1e9;
  const exp = payload.get("exp");
  if (exp !== undefined) {
    if (typeof exp !== "number" && typeof exp !== "bigint") {
      throw new BuiltinError("exp value must be a number");
    }
    if (compare(now, exp) !== -1) return UNVERIFIED;
  }
  const nbf = payload.get("nbf");
  if (nbf !== undefined) {
    if (typeof nbf !== "number" && typeof nbf !== "bigint") {
      throw new BuiltinError("nbf value must be a number");
    }
    if (compare(now, nbf) === -1) return UNVERIFIED;
  }
  return [true, header, payload];
}

export const jwtVerifyBuiltins: readonly BuiltinDef[] = [
  ...["rs", "ps", "es"].flatMap((f) =>
    ["256", "384", "512"].map((b) => asymmetric(`io.jwt.verify_${f}${b}`, verifierFor(f, b))),
  ),
  asymmetric("io.jwt.verify_eddsa", verifyEd25519),
  hmacVerify("io.jwt.verify_hs256", "sha256"),
  hmacVerify("io.jwt.verify_hs384", "sha384"),
  hmacVerify("io.jwt.verify_hs512", "sha512"),
  {
    name: "io.jwt.decode_verify",
    args: ["string", { object: ["string", "any"] }],
    result: { static: ["boolean", { object: ["any", "any"] }, { object: ["any", "any"] }] },
    fn: decodeVerify,
    nondeterministic: true,
  },
];
