/**
 * X.509 certificates and CSRs parsed into the JSON shape of Go's
 * `x509.Certificate` / `x509.CertificateRequest`, which OPA returns.
 */
import { RObject, type Value } from "../../value.ts";
import {
  Asn1Error,
  bigintFrom,
  children,
  expect,
  type Node,
  parseDer,
  readBitString,
  readInteger,
  readNode,
  readOid,
  seq,
  TAG,
} from "../crypto/asn1.ts";
import { base64Encode } from "../crypto/bytes.ts";
import { type PublicKey, publicKeyFromSpkiNode } from "../crypto/keys.ts";
import { extensionFields } from "./extensions.ts";
import { nameValue, readTime } from "./names.ts";

export const SIG_ALGS: Record<string, [number, string]> = {
  "1.2.840.113549.1.1.4": [2, "MD5-RSA"],
  "1.2.840.113549.1.1.5": [3, "SHA1-RSA"],
  "1.2.840.113549.1.1.11": [4, "SHA256-RSA"],
  "1.2.840.113549.1.1.12": [5, "SHA384-RSA"],
  "1.2.840.113549.1.1.13": [6, "SHA512-RSA"],
  "1.2.840.10045.4.1": [9, "ECDSA-SHA1"],
  "1.2.840.10045.4.3.2": [10, "ECDSA-SHA256"],
  "1.2.840.10045.4.3.3": [11, "ECDSA-SHA384"],
  "1.2.840.10045.4.3.4": [12, "ECDSA-SHA512"],
  "1.2.840.113549.1.1.10": [13, "SHA256-RSAPSS"],
  "1.3.101.112": [16, "Ed25519"],
};

export interface Certificate {
  raw: Uint8Array;
  tbs: Uint8Array;
  rawSubject: Uint8Array;
  rawIssuer: Uint8Array;
  sigAlgOid: string;
  signature: Uint8Array;
  publicKey: PublicKey | undefined;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  basicConstraintsValid: boolean;
  extKeyUsage: number[];
  version: number;
  json: RObject;
}

const b64 = (b: Uint8Array): Value => base64Encode(b);

export function publicKeyValue(k: PublicKey | undefined): [number, Value] {
  if (!k) return [0, null];
  switch (k.kind) {
    case "rsa":
      return [1, RObject.fromRecord({ N: big(k.n), E: big(k.e) })];
    case "ec": {
      const size = (k.point.length - 1) / 2;
      return [
        3,
        RObject.fromRecord({
          Curve: RObject.fromRecord({}),
          X: big(bigintFrom(k.point.subarray(1, 1 + size))),
          Y: big(bigintFrom(k.point.subarray(1 + size))),
        }),
      ];
    }
    case "ed25519":
      return [4, b64(k.pub)];
    default:
      return [0, null];
  }
}

export function big(x: bigint): number | bigint {
  return x >= -(2n ** 53n) && x <= 2n ** 53n ? Number(x) : x;
}

function algOid(n: Node | undefined): string {
  return readOid(seq(n, "algorithm identifier")[0]);
}

export function parseCertificate(der: Uint8Array): Certificate {
  try {
    return parseCertificateUnsafe(der);
  } catch (e) {
    if (e instanceof Asn1Error || e instanceof RangeError || e instanceof TypeError) {
      throw new Asn1Error("x509: malformed certificate");
    }
    throw e;
  }
}

function parseCertificateUnsafe(der: Uint8Array): Certificate {
  const root = parseDer(der);
  const [tbsNode, sigAlgNode, sigNode] = seq(root, "certificate");
  let f = seq(tbsNode, "tbs certificate");
  let version = 1;
  if (f[0]?.cls === 2 && f[0].tag === 0) {
    version = Number(readInteger(children(f[0])[0])) + 1;
    f = f.slice(1);
  }
  const [serial, , issuer, validity, subject, spki, ...rest] = f;
  const [nb, na] = children(expect(validity, TAG.SEQUENCE, "validity"));
  const notBefore = readTime(nb);
  const notAfter = readTime(na);
  let publicKey: PublicKey | undefined;
  try {
    publicKey = publicKeyFromSpkiNode(spki!);
  } catch {
    publicKey = undefined;
  }
  const sigAlgOid = algOid(sigAlgNode);
  const signature = readBitString(sigNode);
  let extNodes: Node[] = [];
  for (const r of rest)
    if (r.cls === 2 && r.tag === 3) extNodes = seq(children(r)[0], "extensions");
  const ext = extensionFields(extNodes);
  const [pkAlg, pkValue] = publicKeyValue(publicKey);
  const json = RObject.fromRecord({
    Raw: b64(der),
    RawTBSCertificate: b64(tbsNode!.raw),
    RawSubjectPublicKeyInfo: b64(spki!.raw),
    RawSubject: b64(subject!.raw),
    RawIssuer: b64(issuer!.raw),
    Signature: b64(signature),
    SignatureAlgorithm: SIG_ALGS[sigAlgOid]?.[0] ?? 0,
    PublicKeyAlgorithm: pkAlg,
    PublicKey: pkValue,
    Version: version,
    SerialNumber: big(readInteger(serial)),
    Issuer: nameValue(issuer!),
    Subject: nameValue(subject!),
    NotBefore: notBefore.toISOString().replace(".000Z", "Z"),
    NotAfter: notAfter.toISOString().replace(".000Z", "Z"),
    ...ext.fields,
  });
  return {
    raw: der,
    tbs: tbsNode!.raw,
    rawSubject: subject!.raw,
    rawIssuer: issuer!.raw,
    sigAlgOid,
    signature,
    publicKey,
    notBefore,
    notAfter,
    isCA: ext.isCA,
    basicConstraintsValid: ext.basicConstraintsValid,
    extKeyUsage: ext.extKeyUsage,
    version,
    json,
  };
}

/** Several DER certificates back to back (Go's `x509.ParseCertificates`). */
export function parseCertificates(der: Uint8Array): Certificate[] {
  const out: Certificate[] = [];
  let p = 0;
  while (p < der.length) {
    let next: number;
    try {
      next = readNode(der, p)[1];
    } catch {
      throw new Asn1Error("x509: malformed certificate");
    }
    out.push(parseCertificate(der.subarray(p, next)));
    p = next;
  }
  return out;
}

export function parseCertificateRequest(der: Uint8Array): RObject {
  let root: Node;
  try {
    root = parseDer(der);
    const [info, sigAlg, sig] = seq(root, "certificate request");
    const [ver, subject, spki, attrs] = seq(info, "certification request info");
    let publicKey: PublicKey | undefined;
    try {
      publicKey = publicKeyFromSpkiNode(spki!);
    } catch {
      publicKey = undefined;
    }
    let extNodes: Node[] = [];
    for (const a of attrs && attrs.cls === 2 ? children(attrs) : []) {
      const [oid, values] = seq(a, "attribute");
      if (readOid(oid) === "1.2.840.113549.1.9.14")
        extNodes = seq(children(values!)[0], "extensions");
    }
    const ext = extensionFields(extNodes);
    const [pkAlg, pkValue] = publicKeyValue(publicKey);
    const sigAlgOid = algOid(sigAlg);
    return RObject.fromRecord({
      Raw: b64(der),
      RawTBSCertificateRequest: b64(info!.raw),
      RawSubjectPublicKeyInfo: b64(spki!.raw),
      RawSubject: b64(subject!.raw),
      Version: Number(readInteger(ver)),
      Signature: b64(readBitString(sig)),
      SignatureAlgorithm: SIG_ALGS[sigAlgOid]?.[0] ?? 0,
      PublicKeyAlgorithm: pkAlg,
      PublicKey: pkValue,
      Subject: nameValue(subject!),
      Attributes: null,
      Extensions: ext.fields.Extensions ?? null,
      ExtraExtensions: null,
      DNSNames: ext.fields.DNSNames ?? null,
      EmailAddresses: ext.fields.EmailAddresses ?? null,
      IPAddresses: ext.fields.IPAddresses ?? null,
      URIs: ext.fields.URIs ?? null,
    });
  } catch (e) {
    if (e instanceof Asn1Error || e instanceof RangeError || e instanceof TypeError) {
      throw new Asn1Error("asn1: structure error: tags don't match");
    }
    throw e;
  }
}
