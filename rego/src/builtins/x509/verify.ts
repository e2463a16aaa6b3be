/** Certificate chain verification (the checks of Go's `x509.Certificate.Verify` that matter here). */
import { ed25519 } from "@noble/curves/ed25519.js";
import { BuiltinError } from "../../errors.ts";
import { parseDer, readInteger, seq } from "../crypto/asn1.ts";
import { bytesEqual } from "../crypto/bytes.ts";
import { digest, type HashName } from "../crypto/hash.ts";
import { verifyPkcs1v15, verifyPss } from "../crypto/rsa.ts";
import { verifyEcdsaRS } from "../crypto/sig.ts";
import type { Certificate } from "./cert.ts";

export interface VerifyOptions {
  dnsName: string;
  now: Date;
  /** Extended key usages wanted (Go's ExtKeyUsage numbers); default server auth. */
  keyUsages: number[];
}

const HASH_OF: Record<string, HashName> = {
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
  "1.2.840.113549.1.1.10": "sha256",
};

/** Whether `parent`'s key signed `child`. SHA-1 and MD5 signatures are refused, as Go does. */
export function signedBy(child: Certificate, parent: Certificate): boolean {
  const key = parent.publicKey;
  if (!key) return false;
  const oid = child.sigAlgOid;
  try {
    if (oid === "1.3.101.112")
      return key.kind === "ed25519" && ed25519.verify(child.signature, child.tbs, key.pub);
    const hash = HASH_OF[oid];
    if (!hash) return false;
    const hashed = digest(hash, child.tbs);
    if (oid.startsWith("1.2.840.10045.")) {
      if (key.kind !== "ec") return false;
      const [r, s] = seq(parseDer(child.signature), "ecdsa signature");
      return verifyEcdsaRS(key.curve, key.point, hashed, readInteger(r), readInteger(s));
    }
    if (key.kind !== "rsa") return false;
    return oid === "1.2.840.113549.1.1.10"
      ? verifyPss(key, hash, hashed, child.signature)
      : verifyPkcs1v15(key, hash, hashed, child.signature);
  } catch {
    return false;
  }
}

function matchHost(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase().replace(/\.$/, "");
  if (p === h) return true;
  if (!p.startsWith("*.")) return false;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot) === p.slice(1);
}

function dnsNames(c: Certificate): string[] {
  return (c.json.get("DNSNames") as string[] | null) ?? [];
}

/** Verify `certs` (root first, leaf last); the chain from leaf to root, or an error. */
export function verifyChain(certs: Certificate[], opts: VerifyOptions): Certificate[] {
  if (certs.length < 2) {
    throw new BuiltinError("operand 1 must supply at least two certificates to be able to verify");
  }
  const root = certs[0]!;
  const intermediates = certs.slice(1, -1);
  const leaf = certs[certs.length - 1]!;
  const valid = (c: Certificate) => {
    if (opts.now < c.notBefore || opts.now > c.notAfter) {
      throw new BuiltinError("x509: certificate has expired or is not yet valid");
    }
  };
  valid(leaf);
  if (opts.dnsName && !dnsNames(leaf).some((p) => matchHost(p, opts.dnsName))) {
    throw new BuiltinError(`x509: certificate is not valid for ${opts.dnsName}`);
  }
  // Go's checkSignatureFrom: the parent must be a CA and, when it has key usages, may sign certificates.
  const isCA = (c: Certificate) => {
    const ku = Number(c.json.get("KeyUsage") ?? 0);
    if (ku !== 0 && (ku & 32) === 0) return false;
    return c.basicConstraintsValid ? c.isCA : c.version < 3;
  };
  const build = (cur: Certificate, seen: Set<Certificate>): Certificate[] | undefined => {
    if (bytesEqual(cur.raw, root.raw)) return [cur];
    for (const cand of [root, ...intermediates]) {
      if (seen.has(cand) || !bytesEqual(cand.rawSubject, cur.rawIssuer)) continue;
      if (!isCA(cand) || !signedBy(cur, cand)) continue;
      try {
        valid(cand);
      } catch {
        continue;
      }
      if (cand === root) return [cur, cand];
      const rest = build(cand, new Set([...seen, cand]));
      if (rest) return [cur, ...rest];
    }
    return undefined;
  };
  const chain = build(leaf, new Set([leaf]));
  if (!chain) throw new BuiltinError("x509: certificate signed by unknown authority");
  const wanted = opts.keyUsages.length ? opts.keyUsages : [1];
  if (!wanted.includes(0)) {
    for (const c of chain) {
      if (c.extKeyUsage.length === 0 || c.extKeyUsage.includes(0)) continue;
      if (!wanted.some((u) => c.extKeyUsage.includes(u))) {
        throw new BuiltinError("x509: certificate specifies an incompatible key usage");
      }
    }
  }
  return chain;
}
