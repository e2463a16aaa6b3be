/** `crypto.x509.*` and `crypto.parse_private_keys`. */
import { BuiltinError } from "../../errors.ts";
import { RObject, RSet, type Value } from "../../value.ts";
import { pemDecode } from "../crypto/asn1.ts";
import {
  base64DecodeStrict,
  base64Encode,
  fromUtf8,
  objectOperand,
  stringOperand,
} from "../crypto/bytes.ts";
import type { PrivateKey } from "../crypto/keys.ts";
import { parseEcPrivateKey, parsePkcs1PrivateKey, parsePkcs8PrivateKey } from "../crypto/keys.ts";
import { named } from "../crypto/named.ts";
import type { RsaPrivateKey } from "../crypto/rsa.ts";
import type { BuiltinContext, BuiltinDef, BuiltinTable, TypeSpec } from "../types.ts";
import {
  type Certificate,
  parseCertificate,
  parseCertificateRequest,
  parseCertificates,
} from "./cert.ts";
import { ecJwk, keysMatch, privateKeysFromPem, privateKeyValue, rsaJwk } from "./private.ts";
import { type VerifyOptions, verifyChain } from "./verify.ts";

const BEGIN = "-----BEGIN";

function certsFromPem(text: string): Certificate[] {
  const ders: Uint8Array[] = [];
  let rest = text;
  while (rest.length > 0) {
    const r = pemDecode(rest);
    if (!r) break;
    if (r[0].type !== "CERTIFICATE") {
      throw new BuiltinError(`PEM block type is '${r[0].type}', expected CERTIFICATE`);
    }
    ders.push(r[0].bytes);
    rest = r[1];
  }
  return ders.flatMap((d) => parseCertificates(d));
}

function certsFromString(s: string): Certificate[] {
  if (s.startsWith(BEGIN)) return certsFromPem(s);
  const bytes = base64DecodeStrict(s, "std");
  const text = fromUtf8(bytes.subarray(0, BEGIN.length));
  if (text === BEGIN) return certsFromPem(fromUtf8(bytes));
  return parseCertificates(bytes);
}

const certsValue = (cs: Certificate[]): Value => cs.map((c) => c.json);

const UNVERIFIED: Value = [false, []];

function verifyOptions(o: RObject, ctx: BuiltinContext): VerifyOptions {
  const opts: VerifyOptions = {
    dnsName: "",
    now: new Date(Number(ctx.nowNs / 1_000_000n)),
    keyUsages: [],
  };
  const usages: Record<string, number> = {
    KeyUsageAny: 0,
    KeyUsageServerAuth: 1,
    KeyUsageClientAuth: 2,
    KeyUsageCodeSigning: 3,
    KeyUsageEmailProtection: 4,
    KeyUsageIPSECEndSystem: 5,
    KeyUsageIPSECTunnel: 6,
    KeyUsageIPSECUser: 7,
    KeyUsageTimeStamping: 8,
    KeyUsageOCSPSigning: 9,
    KeyUsageMicrosoftServerGatedCrypto: 10,
    KeyUsageNetscapeServerGatedCrypto: 11,
    KeyUsageMicrosoftCommercialCodeSigning: 12,
    KeyUsageMicrosoftKernelCodeSigning: 13,
  };
  for (const [k, v] of o.entries()) {
    if (typeof k !== "string") continue;
    switch (k) {
      case "DNSName":
        if (typeof v !== "string") throw new BuiltinError("'DNSName' should be a string");
        opts.dnsName = v.replace(/^"+|"+$/g, "");
        break;
      case "CurrentTime":
        if (typeof v !== "number" && typeof v !== "bigint") {
          throw new BuiltinError("'CurrentTime' should be a number");
        }
        if (typeof v === "number" && !Number.isInteger(v)) {
          throw new BuiltinError("'CurrentTime' should be a valid int64 number");
        }
        opts.now = new Date(Number(BigInt(v) / 1_000_000n));
        break;
      case "MaxConstraintComparisons":
        if (typeof v !== "number" && typeof v !== "bigint") {
          throw new BuiltinError("'MaxConstraintComparisons' should be a number");
        }
        break;
      case "KeyUsages": {
        if (!Array.isArray(v) && !(v instanceof RSet)) {
          throw new BuiltinError("'KeyUsages' should be an Array or Set");
        }
        const bad: string[] = [];
        for (const u of v as Iterable<Value>) {
          if (typeof u !== "string") continue;
          const name = u.replace(/^"+|"+$/g, "");
          if (name in usages) opts.keyUsages.push(usages[name]!);
          else bad.push(name);
        }
        if (bad.length)
          throw new BuiltinError(`invalid entries for 'KeyUsages' found: [${bad.join(" ")}]`);
        break;
      }
      default:
        throw new BuiltinError("invalid key option");
    }
  }
  return opts;
}

/** OPA adds `URIStrings` for parse_and_verify_certificates but not for the `_with_options` form. */
function withoutUriStrings(c: RObject): RObject {
  const out = new RObject(c.entries());
  out.delete("URIStrings");
  return out;
}

function parseAndVerify(input: string, opts: VerifyOptions, uriStrings = true): Value {
  let certs: Certificate[];
  try {
    certs = certsFromString(input);
  } catch {
    return UNVERIFIED;
  }
  try {
    const chain = certsValue(verifyChain(certs, opts)) as RObject[];
    return [true, uriStrings ? chain : chain.map(withoutUriStrings)];
  } catch {
    return UNVERIFIED;
  }
}

function decodeIfNotPem(s: string): Uint8Array {
  return s.startsWith(BEGIN) ? new TextEncoder().encode(s) : base64DecodeStrict(s, "std");
}

function parseKey(der: Uint8Array): PrivateKey {
  for (const f of [parsePkcs1PrivateKey, parsePkcs8PrivateKey, parseEcPrivateKey]) {
    try {
      return f(der);
    } catch {
      // try the next form
    }
  }
  throw new BuiltinError("tls: failed to parse private key");
}

function parseKeyPair(certText: string, keyText: string): Value {
  const certBytes = decodeIfNotPem(certText);
  const keyBytes = decodeIfNotPem(keyText);
  const isPem = (b: Uint8Array) => fromUtf8(b.subarray(0, BEGIN.length)) === BEGIN;
  const ders: Uint8Array[] = [];
  if (isPem(certBytes)) {
    let rest = fromUtf8(certBytes);
    for (let r = pemDecode(rest); r; r = pemDecode(rest)) {
      if (r[0].type === "CERTIFICATE") ders.push(r[0].bytes);
      rest = r[1];
    }
  } else ders.push(certBytes);
  if (ders.length === 0)
    throw new BuiltinError("tls: failed to find any PEM data in certificate input");
  let keyDer: Uint8Array | undefined;
  if (isPem(keyBytes)) {
    let rest = fromUtf8(keyBytes);
    for (let r = pemDecode(rest); r; r = pemDecode(rest)) {
      if (r[0].type === "PRIVATE KEY" || r[0].type.endsWith(" PRIVATE KEY")) {
        keyDer = r[0].bytes;
        break;
      }
      rest = r[1];
    }
  } else keyDer = keyBytes;
  if (!keyDer) throw new BuiltinError("tls: failed to find any PEM data in key input");
  const leaf = parseCertificate(ders[0]!);
  const key = parseKey(keyDer);
  if (!leaf.publicKey || leaf.publicKey.kind !== key.kind) {
    throw new BuiltinError("tls: private key type does not match public key type");
  }
  if (!keysMatch(leaf.publicKey, key))
    throw new BuiltinError("tls: private key does not match public key");
  return RObject.fromRecord({
    Certificate: ders.map((d) => base64Encode(d)),
    PrivateKey: privateKeyValue(key),
    SupportedSignatureAlgorithms: null,
    OCSPStaple: null,
    SignedCertificateTimestamps: null,
    Leaf: leaf.json,
  });
}

function parseCsr(input: string): Value {
  let bytes: Uint8Array = new TextEncoder().encode(input);
  if (!input.startsWith("-----BEGIN CERTIFICATE REQUEST-----"))
    bytes = base64DecodeStrict(input, "std");
  const text = fromUtf8(bytes);
  const block = text.includes(BEGIN) ? pemDecode(text) : undefined;
  if (block && block[0].type !== "CERTIFICATE REQUEST") {
    throw new BuiltinError("invalid PEM-encoded certificate signing request");
  }
  return parseCertificateRequest(block ? block[0].bytes : bytes);
}

function parseRsaPrivateKey(input: string): Value {
  if (input === "") throw new BuiltinError("input PEM data was empty");
  const text = input.startsWith(BEGIN) ? input : fromUtf8(base64DecodeStrict(input, "std"));
  const keys = privateKeysFromPem(text);
  if (keys.length === 0) return null;
  const k = keys[0]!;
  if (k.kind === "ec") return ecJwk(k);
  if (k.kind !== "rsa") throw new BuiltinError(`invalid key type ${k.kind}`);
  return rsaJwk(k as RsaPrivateKey);
}

const OBJ: TypeSpec = { object: ["any", "any"] };

const defs: BuiltinDef[] = [
  {
    name: "crypto.x509.parse_certificates",
    args: ["string"],
    result: { array: OBJ },
    fn: (args) => certsValue(certsFromString(stringOperand(args, 0))),
  },
  {
    name: "crypto.x509.parse_and_verify_certificates",
    args: ["string"],
    result: { static: ["boolean", { array: OBJ }] },
    fn: (args, ctx) => parseAndVerify(stringOperand(args, 0), verifyOptions(new RObject(), ctx)),
    nondeterministic: true,
  },
  {
    name: "crypto.x509.parse_and_verify_certificates_with_options",
    args: ["string", OBJ],
    result: { static: ["boolean", { array: OBJ }] },
    fn: (args, ctx) => {
      const input = stringOperand(args, 0);
      const opts = verifyOptions(objectOperand(args, 1), ctx);
      return parseAndVerify(input, opts, false);
    },
    nondeterministic: true,
  },
  {
    name: "crypto.x509.parse_certificate_request",
    args: ["string"],
    result: OBJ,
    fn: (args) => parseCsr(stringOperand(args, 0)),
  },
  {
    name: "crypto.x509.parse_keypair",
    args: ["string", "string"],
    result: OBJ,
    fn: (args) => parseKeyPair(stringOperand(args, 0), stringOperand(args, 1)),
  },
  {
    name: "crypto.x509.parse_rsa_private_key",
    args: ["string"],
    result: OBJ,
    fn: (args) => parseRsaPrivateKey(stringOperand(args, 0)),
  },
  {
    name: "crypto.parse_private_keys",
    args: ["string"],
    result: { array: OBJ },
    fn: (args) => {
      const input = stringOperand(args, 0);
      if (input === "") return null;
      return privateKeysFromPem(input).map(privateKeyValue);
    },
  },
];

export const x509Builtins: BuiltinTable = named(defs);
