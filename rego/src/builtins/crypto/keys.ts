/**
 * Keys: SubjectPublicKeyInfo, certificates (their public key), PKCS#1,
 * PKCS#8 and SEC1 private keys, and JWKs, in one small representation.
 */
import {
  Asn1Error,
  bigintFrom,
  children,
  expect,
  type Node,
  parseDer,
  readBitString,
  readInteger,
  readOid,
  seq,
  TAG,
} from "./asn1.ts";
import { b64uField } from "./bytes.ts";
import type { RsaPrivateKey, RsaPublicKey } from "./rsa.ts";

export type Curve = "P-256" | "P-384" | "P-521";

export interface EcPublicKey {
  readonly kind: "ec";
  readonly curve: Curve;
  /** Uncompressed SEC1 point (0x04 || X || Y). */
  readonly point: Uint8Array;
}
export interface EcPrivateKey {
  readonly kind: "ec";
  readonly curve: Curve;
  readonly d: Uint8Array;
  readonly point?: Uint8Array | undefined;
}
export interface Ed25519PublicKey {
  readonly kind: "ed25519";
  readonly pub: Uint8Array;
}
export interface Ed25519PrivateKey {
  readonly kind: "ed25519";
  readonly seed: Uint8Array;
  readonly pub?: Uint8Array | undefined;
}
export interface SymmetricKey {
  readonly kind: "oct";
  readonly k: Uint8Array;
}

export type PublicKey = RsaPublicKey | EcPublicKey | Ed25519PublicKey | SymmetricKey;
export type PrivateKey = RsaPrivateKey | EcPrivateKey | Ed25519PrivateKey | SymmetricKey;

export const OID = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  ecPublicKey: "1.2.840.10045.2.1",
  ed25519: "1.3.101.112",
} as const;

const CURVE_OIDS: Record<string, Curve> = {
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
  "1.3.132.0.35": "P-521",
};

export const CURVE_SIZE: Record<Curve, number> = { "P-256": 32, "P-384": 48, "P-521": 66 };

function rsaPublicFromPkcs1(der: Uint8Array): RsaPublicKey {
  const [n, e] = seq(parseDer(der), "RSA public key");
  return { kind: "rsa", n: readInteger(n), e: readInteger(e) };
}

/** Parse a SubjectPublicKeyInfo element (Go's `x509.ParsePKIXPublicKey`). */
export function publicKeyFromSpkiNode(spki: Node): PublicKey {
  const [algId, bits] = seq(spki, "subject public key info");
  const [oidNode, params] = seq(algId, "algorithm identifier");
  const oid = readOid(oidNode);
  const keyBytes = readBitString(bits);
  if (oid === OID.rsaEncryption) return rsaPublicFromPkcs1(keyBytes);
  if (oid === OID.ecPublicKey) {
    const curve = CURVE_OIDS[readOid(params)];
    if (!curve) throw new Asn1Error("x509: unsupported elliptic curve");
    if (keyBytes[0] !== 4 || keyBytes.length !== 1 + 2 * CURVE_SIZE[curve]) {
      throw new Asn1Error("x509: failed to unmarshal elliptic curve point");
    }
    return { kind: "ec", curve, point: keyBytes };
  }
  if (oid === OID.ed25519) {
    if (keyBytes.length !== 32) throw new Asn1Error("x509: wrong Ed25519 public key size");
    return { kind: "ed25519", pub: keyBytes };
  }
  throw new Asn1Error("x509: unknown public key algorithm");
}

export function publicKeyFromSpki(der: Uint8Array): PublicKey {
  return publicKeyFromSpkiNode(parseDer(der));
}

/** The TBSCertificate's fields, positioned past the optional version. */
export function tbsFields(certDer: Uint8Array): Node[] {
  const [tbs] = seq(parseDer(certDer), "certificate");
  const fields = seq(tbs, "tbs certificate");
  return fields[0]?.cls === 2 && fields[0].tag === 0 ? fields.slice(1) : fields;
}

/** The public key of a DER certificate. */
export function publicKeyFromCertificate(der: Uint8Array): PublicKey {
  // serial, signature, issuer, validity, subject, spki
  return publicKeyFromSpkiNode(tbsFields(der)[5]!);
}

function pkcs1Private(der: Uint8Array): RsaPrivateKey {
  const f = seq(parseDer(der), "RSA private key");
  if (f.length < 9) throw new Asn1Error("x509: failed to parse private key");
  return {
    kind: "rsa",
    n: readInteger(f[1]),
    e: readInteger(f[2]),
    d: readInteger(f[3]),
    p: readInteger(f[4]),
    q: readInteger(f[5]),
  };
}

function sec1Private(der: Uint8Array, curveHint?: Curve): EcPrivateKey {
  const f = seq(parseDer(der), "EC private key");
  const d = expect(f[1], TAG.OCTET_STRING, "EC private key").content;
  let curve = curveHint;
  let point: Uint8Array | undefined;
  for (const x of f.slice(2)) {
    if (x.cls === 2 && x.tag === 0) curve = CURVE_OIDS[readOid(children(x)[0])] ?? curve;
    if (x.cls === 2 && x.tag === 1) point = readBitString(children(x)[0]);
  }
  if (!curve) throw new Asn1Error("x509: unknown elliptic curve");
  return { kind: "ec", curve, d, point };
}

export function parsePkcs1PrivateKey(der: Uint8Array): RsaPrivateKey {
  return pkcs1Private(der);
}

export function parseEcPrivateKey(der: Uint8Array): EcPrivateKey {
  return sec1Private(der);
}

export function parsePkcs8PrivateKey(der: Uint8Array): PrivateKey {
  const [, algId, keyOctets] = seq(parseDer(der), "PKCS#8 private key");
  const [oidNode, params] = seq(algId, "algorithm identifier");
  const oid = readOid(oidNode);
  const inner = expect(keyOctets, TAG.OCTET_STRING, "private key").content;
  if (oid === OID.rsaEncryption) return pkcs1Private(inner);
  if (oid === OID.ecPublicKey) return sec1Private(inner, CURVE_OIDS[readOid(params)]);
  if (oid === OID.ed25519) {
    const seed = expect(parseDer(inner), TAG.OCTET_STRING, "ed25519 key").content;
    if (seed.length !== 32) throw new Asn1Error("x509: invalid Ed25519 private key length");
    return { kind: "ed25519", seed };
  }
  throw new Asn1Error("x509: PKCS#8 wrapping contained private key with unknown algorithm");
}

// ---- JWK ---------------------------------------------------------------

export interface Jwk {
  readonly key: PublicKey | PrivateKey;
  readonly alg: string;
  readonly kid: string;
}

function member(o: Record<string, unknown>, name: string): Uint8Array {
  const v = o[name];
  if (typeof v !== "string") throw new Error(`required field ${name} is missing`);
  return b64uField(v);
}

function optional(o: Record<string, unknown>, name: string): Uint8Array | undefined {
  return typeof o[name] === "string" ? b64uField(o[name] as string) : undefined;
}

export function jwkToKey(o: Record<string, unknown>): Jwk {
  const alg = typeof o.alg === "string" ? o.alg : "";
  const kid = typeof o.kid === "string" ? o.kid : "";
  switch (o.kty) {
    case "RSA": {
      const n = bigintFrom(member(o, "n"));
      const e = bigintFrom(member(o, "e"));
      const d = optional(o, "d");
      const p = optional(o, "p");
      const q = optional(o, "q");
      const key: RsaPublicKey | RsaPrivateKey = d
        ? {
            kind: "rsa",
            n,
            e,
            d: bigintFrom(d),
            p: p && bigintFrom(p),
            q: q && bigintFrom(q),
          }
        : { kind: "rsa", n, e };
      return { key, alg, kid };
    }
    case "EC": {
      const curve = o.crv as Curve;
      if (!(curve in CURVE_SIZE)) throw new Error(`invalid curve: ${String(o.crv)}`);
      const size = CURVE_SIZE[curve];
      const pad = (b: Uint8Array) => {
        if (b.length > size) throw new Error("invalid EC coordinate length");
        const out = new Uint8Array(size);
        out.set(b, size - b.length);
        return out;
      };
      const point = new Uint8Array(1 + 2 * size);
      point[0] = 4;
      point.set(pad(member(o, "x")), 1);
      point.set(pad(member(o, "y")), 1 + size);
      const d = optional(o, "d");
      return {
        key: d ? { kind: "ec", curve, d: pad(d), point } : { kind: "ec", curve, point },
        alg,
        kid,
      };
    }
    case "OKP": {
      if (o.crv !== "Ed25519") throw new Error(`unsupported curve: ${String(o.crv)}`);
      const pub = member(o, "x");
      const d = optional(o, "d");
      return { key: d ? { kind: "ed25519", seed: d, pub } : { kind: "ed25519", pub }, alg, kid };
    }
    case "oct":
      return { key: { kind: "oct", k: member(o, "k") }, alg, kid };
    default:
      throw new Error(`invalid key type from JSON (${String(o.kty)})`);
  }
}

/** Parse a JWK or a JWK set (`{"keys": [...]}`) from JSON text. */
export function parseJwks(text: string): Jwk[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`failed to unmarshal JSON into key (set): ${(e as Error).message}`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new Error("failed to unmarshal JSON into key (set)");
  }
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.keys)) {
    return o.keys.map((k) => {
      if (k === null || typeof k !== "object") throw new Error("invalid key in set");
      return jwkToKey(k as Record<string, unknown>);
    });
  }
  return [jwkToKey(o)];
}
