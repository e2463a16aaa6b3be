/** Private keys from PEM: Go's JSON of the key structs, and JWKs. */
import { ed25519 } from "@noble/curves/ed25519.js";
import { RObject, type Value } from "../../value.ts";
import { bigintFrom, integerToBytes, pemDecode } from "../crypto/asn1.ts";
import {
  base64DecodeStrict,
  base64Encode,
  base64UrlEncodeNoPad,
  bytesEqual,
  fromUtf8,
} from "../crypto/bytes.ts";
import {
  type PrivateKey,
  type PublicKey,
  parseEcPrivateKey,
  parsePkcs1PrivateKey,
  parsePkcs8PrivateKey,
} from "../crypto/keys.ts";
import { modInverse, type RsaPrivateKey } from "../crypto/rsa.ts";
import { curveFor } from "../crypto/sig.ts";
import { big } from "./cert.ts";

function crt(k: RsaPrivateKey): { dp: bigint; dq: bigint; qi: bigint } {
  const p = k.p ?? 1n;
  const q = k.q ?? 1n;
  return { dp: k.d % (p - 1n), dq: k.d % (q - 1n), qi: modInverse(q, p) };
}

/** Go's `pem.Decode` loop in OPA's getPrivateKeysFromPEMData. */
export function privateKeysFromPem(data: string): PrivateKey[] {
  let text = data;
  try {
    text = fromUtf8(base64DecodeStrict(data, "std"));
  } catch {
    // not base64: use as is
  }
  const keys: PrivateKey[] = [];
  let rest = text;
  while (rest.length > 0) {
    const r = pemDecode(rest);
    if (!r) break;
    const [block, after] = r;
    rest = after;
    if (block.type === "RSA PRIVATE KEY") keys.push(parsePkcs1PrivateKey(block.bytes));
    else if (block.type === "PRIVATE KEY") keys.push(parsePkcs8PrivateKey(block.bytes));
    else if (block.type === "EC PRIVATE KEY") keys.push(parseEcPrivateKey(block.bytes));
  }
  return keys;
}

export function ecPublicPoint(k: PrivateKey): Uint8Array | undefined {
  if (k.kind !== "ec") return undefined;
  return k.point ?? curveFor(k.curve).getPublicKey(k.d, false);
}

/** Go's JSON encoding of a crypto.PrivateKey. */
export function privateKeyValue(k: PrivateKey): Value {
  switch (k.kind) {
    case "rsa": {
      const r = k as RsaPrivateKey;
      const c = crt(r);
      return RObject.fromRecord({
        N: big(r.n),
        E: big(r.e),
        D: big(r.d),
        Primes: [big(r.p ?? 0n), big(r.q ?? 0n)],
        Precomputed: RObject.fromRecord({
          Dp: big(c.dp),
          Dq: big(c.dq),
          Qinv: big(c.qi),
          CRTValues: [],
        }),
      });
    }
    case "ec": {
      const pt = ecPublicPoint(k)!;
      const size = (pt.length - 1) / 2;
      return RObject.fromRecord({
        Curve: RObject.fromRecord({}),
        X: big(bigintFrom(pt.subarray(1, 1 + size))),
        Y: big(bigintFrom(pt.subarray(1 + size))),
        D: big(bigintFrom(k.d)),
      });
    }
    case "ed25519": {
      const full = new Uint8Array(64);
      full.set(k.seed, 0);
      full.set(ed25519.getPublicKey(k.seed), 32);
      return base64Encode(full);
    }
    default:
      return base64Encode(k.k);
  }
}

/** The JWK of an RSA private key (as `crypto.x509.parse_rsa_private_key` returns it). */
export function rsaJwk(k: RsaPrivateKey): Value {
  const enc = (x: bigint) => base64UrlEncodeNoPad(integerToBytes(x));
  const c = crt(k);
  return RObject.fromRecord({
    kty: "RSA",
    n: enc(k.n),
    e: enc(k.e),
    d: enc(k.d),
    p: enc(k.p ?? 0n),
    q: enc(k.q ?? 0n),
    dp: enc(c.dp),
    dq: enc(c.dq),
    qi: enc(c.qi),
  });
}

/** Whether a private key belongs to a public key (tls.X509KeyPair's check). */
export function keysMatch(pub: PublicKey | undefined, priv: PrivateKey): boolean {
  if (!pub || pub.kind !== priv.kind) return false;
  if (pub.kind === "rsa" && priv.kind === "rsa") return pub.n === priv.n && pub.e === priv.e;
  if (pub.kind === "ec" && priv.kind === "ec") return bytesEqual(pub.point, ecPublicPoint(priv)!);
  if (pub.kind === "ed25519" && priv.kind === "ed25519") {
    return bytesEqual(pub.pub, ed25519.getPublicKey(priv.seed));
  }
  return false;
}

/** The JWK of an EC private key. */
export function ecJwk(k: PrivateKey): Value {
  if (k.kind !== "ec") return null;
  const pt = ecPublicPoint(k)!;
  const size = (pt.length - 1) / 2;
  return RObject.fromRecord({
    kty: "EC",
    crv: k.curve,
    x: base64UrlEncodeNoPad(pt.subarray(1, 1 + size)),
    y: base64UrlEncodeNoPad(pt.subarray(1 + size)),
    d: base64UrlEncodeNoPad(integerToBytes(bigintFrom(k.d), size)),
  });
}
