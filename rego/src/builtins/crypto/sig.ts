/** JWS signing and verification (RFC 7518 algorithms) over the key types of keys.ts. */
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { bigintFrom, integerToBytes } from "./asn1.ts";
import { bytesEqual } from "./bytes.ts";
import { digest, type HashName, hmacDigest } from "./hash.ts";
import { CURVE_SIZE, type Curve, type PrivateKey, type PublicKey } from "./keys.ts";
import { type RsaPrivateKey, signPkcs1v15, signPss, verifyPkcs1v15, verifyPss } from "./rsa.ts";

export const JWS_ALGORITHMS = new Set([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "HS256",
  "HS384",
  "HS512",
  "EdDSA",
]);

const HASH_OF: Record<string, HashName> = { "256": "sha256", "384": "sha384", "512": "sha512" };

const CURVES = { "P-256": p256, "P-384": p384, "P-521": p521 } as const;

export function curveFor(c: Curve) {
  return CURVES[c];
}

/** ECDSA verification of a raw r||s signature split in half, as OPA does. */
export function verifyEcdsaRaw(
  curve: Curve,
  point: Uint8Array,
  hashed: Uint8Array,
  sig: Uint8Array,
): boolean {
  const size = CURVE_SIZE[curve];
  const half = Math.floor(sig.length / 2);
  const r = bigintFrom(sig.subarray(0, half));
  const s = bigintFrom(sig.subarray(half));
  return verifyEcdsaRS(curve, point, hashed, r, s, size);
}

export function verifyEcdsaRS(
  curve: Curve,
  point: Uint8Array,
  hashed: Uint8Array,
  r: bigint,
  s: bigint,
  size = CURVE_SIZE[curve],
): boolean {
  try {
    const c = CURVES[curve];
    if (r <= 0n || s <= 0n) return false;
    const compact = new Uint8Array(2 * size);
    compact.set(integerToBytes(r, size), 0);
    compact.set(integerToBytes(s, size), size);
    if (compact.length !== 2 * size) return false;
    return c.verify(compact, hashed, point, { prehash: false, lowS: false });
  } catch {
    return false;
  }
}

/** Verify a JWS signature; false for a wrong key type, algorithm or signature. */
export function verifyJws(alg: string, key: PublicKey, data: Uint8Array, sig: Uint8Array): boolean {
  try {
    const hash = HASH_OF[alg.slice(2)];
    switch (alg.slice(0, 2)) {
      case "HS":
        return key.kind === "oct" && !!hash && bytesEqual(hmacDigest(hash, key.k, data), sig);
      case "RS":
        return key.kind === "rsa" && !!hash && verifyPkcs1v15(key, hash, digest(hash, data), sig);
      case "PS":
        return key.kind === "rsa" && !!hash && verifyPss(key, hash, digest(hash, data), sig);
      case "ES": {
        if (key.kind !== "ec" || !hash) return false;
        const want = { ES256: "P-256", ES384: "P-384", ES512: "P-521" }[alg];
        if (want !== key.curve || sig.length !== 2 * CURVE_SIZE[key.curve]) return false;
        return verifyEcdsaRaw(key.curve, key.point, digest(hash, data), sig);
      }
      default:
        if (alg !== "EdDSA" || key.kind !== "ed25519") return false;
        return ed25519.verify(sig, data, key.pub, { zip215: false });
    }
  } catch {
    return false;
  }
}

export class SignError extends Error {}

/** Sign for a JWS; throws SignError when the key does not fit the algorithm. */
export function signJws(
  alg: string,
  key: PrivateKey,
  data: Uint8Array,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  const hash = HASH_OF[alg.slice(2)];
  const kind = alg.slice(0, 2);
  if (kind === "HS" && hash) {
    if (key.kind !== "oct") throw new SignError(`invalid key type for ${alg}`);
    return hmacDigest(hash, key.k, data);
  }
  if ((kind === "RS" || kind === "PS") && hash) {
    if (key.kind !== "rsa" || !("d" in key)) throw new SignError(`invalid key type for ${alg}`);
    const k = key as RsaPrivateKey;
    return kind === "RS"
      ? signPkcs1v15(k, hash, digest(hash, data))
      : signPss(k, hash, digest(hash, data), randomBytes);
  }
  if (kind === "ES" && hash) {
    if (key.kind !== "ec" || !("d" in key)) throw new SignError(`invalid key type for ${alg}`);
    const sig = CURVES[key.curve].sign(digest(hash, data), key.d, { prehash: false, lowS: false });
    return sig;
  }
  if (alg === "EdDSA") {
    if (key.kind !== "ed25519" || !("seed" in key)) {
      throw new SignError(`invalid key type for ${alg}`);
    }
    return ed25519.sign(data, key.seed);
  }
  throw new SignError(`unsupported signature algorithm ${alg}`);
}
