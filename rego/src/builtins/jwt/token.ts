/** Splitting, decoding and key lookup shared by the `io.jwt.*` builtins. */
import { BuiltinError } from "../../errors.ts";
import { RObject, type Value } from "../../value.ts";
import { pemDecode } from "../crypto/asn1.ts";
import { base64UrlDecode, fromUtf8, utf8 } from "../crypto/bytes.ts";
import { parseJson } from "../crypto/json.ts";
import {
  type Jwk,
  type PublicKey,
  parseJwks,
  publicKeyFromCertificate,
  publicKeyFromSpki,
} from "../crypto/keys.ts";
import { JWS_ALGORITHMS } from "../crypto/sig.ts";

export interface Token {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

export function splitToken(s: string): Token {
  if (!s.includes(".")) throw new BuiltinError("encoded JWT had no period separators");
  const parts = s.split(".");
  if (parts.length !== 3) {
    throw new BuiltinError(`encoded JWT must have 3 sections, found ${parts.length}`);
  }
  return { header: parts[0]!, payload: parts[1]!, signature: parts[2]! };
}

function withPrefix<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new BuiltinError(`${prefix}${(e as Error).message}`);
  }
}

/** JSON text that must hold an object (OPA's `extractJSONObject`). */
export function jsonObject(text: string): RObject {
  let v: Value;
  try {
    v = parseJson(text);
  } catch (e) {
    throw new BuiltinError(`invalid JSON: ${(e as Error).message}`);
  }
  if (!(v instanceof RObject)) throw new BuiltinError("decoded JSON type was not an Object");
  return v;
}

export function decodeHeader(t: Token): RObject {
  const text = fromUtf8(
    withPrefix("JWT header had invalid encoding: ", () => base64UrlDecode(t.header)),
  );
  const header = withPrefix("bad JWT header: ", () => jsonObject(text));
  if (header.has("enc")) throw new BuiltinError("JWT is a JWE object, which is not supported");
  return header;
}

export function decodePayloadText(t: Token): string {
  return fromUtf8(
    withPrefix("JWT payload had invalid encoding: ", () => base64UrlDecode(t.payload)),
  );
}

export function decodeSignature(t: Token): Uint8Array {
  return base64UrlDecode(t.signature);
}

export function signingInput(t: Token): Uint8Array {
  return utf8(`${t.header}.${t.payload}`);
}

export interface ParsedHeader {
  alg: string;
  kid: string;
  typ: string;
  cty: string;
  crit: Set<string> | undefined;
  unknown: string[];
}

/** OPA's `parseTokenHeader`: known parameters typed, the rest listed. */
export function parseHeader(h: RObject): ParsedHeader {
  const out: ParsedHeader = { alg: "", kid: "", typ: "", cty: "", crit: undefined, unknown: [] };
  for (const [k, v] of h.entries()) {
    const name = k as string;
    if (name === "alg" || name === "kid" || name === "typ" || name === "cty") {
      if (typeof v !== "string") throw new BuiltinError(`${name}: must be a string`);
      out[name] = v;
    } else if (name === "crit") {
      if (!Array.isArray(v)) throw new BuiltinError("crit: must be a list");
      // Like OPA: strings up to the first element that is not one.
      out.crit = new Set();
      for (const x of v as Value[]) {
        if (typeof x !== "string") break;
        out.crit.add(x);
      }
      if (out.crit.size === 0) throw new BuiltinError("crit: must be a nonempty list");
    } else out.unknown.push(name);
  }
  return out;
}

export function headerValid(h: ParsedHeader): boolean {
  if (h.alg === "") return false;
  return !h.unknown.some((u) => h.crit?.has(u));
}

export interface VerificationKey {
  readonly key: PublicKey;
  readonly alg: string;
  readonly kid: string;
}

/** Keys from a PEM certificate or public key, or from a JWK (set). */
export function keysFromCertOrJwk(text: string): VerificationKey[] {
  const block = pemDecode(text);
  if (block) {
    const [b, rest] = block;
    if (rest.length > 0) throw new BuiltinError("extra data after a PEM certificate block");
    if (b.type === "CERTIFICATE") {
      const key = withPrefix("failed to parse a PEM certificate: ", () =>
        publicKeyFromCertificate(b.bytes),
      );
      return [{ key, alg: "", kid: "" }];
    }
    if (b.type === "PUBLIC KEY") {
      const key = withPrefix("failed to parse a PEM public key: ", () =>
        publicKeyFromSpki(b.bytes),
      );
      return [{ key, alg: "", kid: "" }];
    }
    throw new BuiltinError("failed to extract a Key from the PEM certificate");
  }
  const jwks: Jwk[] = withPrefix("failed to parse a JWK key (set): ", () => parseJwks(text));
  return jwks
    .filter((k) => k.alg === "" || JWS_ALGORITHMS.has(k.alg))
    .map((k) => ({ key: k.key as PublicKey, alg: k.alg, kid: k.kid }));
}

/**
 * Try the key whose `kid` matches the header's first; else every key whose
 * `alg` is unset or equal to the token's.
 */
export function verifyWithKeys(
  keys: readonly VerificationKey[],
  kid: string,
  alg: string,
  verify: (key: PublicKey) => boolean,
): boolean {
  if (kid !== "") {
    const k = keys.find((x) => x.kid === kid);
    if (k) return verify(k.key);
  }
  for (const k of keys) {
    if (k.alg !== "" && k.alg !== alg) continue;
    if (verify(k.key)) return true;
  }
  return false;
}
