/**
 * RSA with bigints: PKCS#1 v1.5 and PSS signatures (RFC 8017), verify and
 * sign. Synchronous and pure, so it runs in workerd as in Node.
 */
import { bigintFrom, integerToBytes } from "./asn1.ts";
import { bytesEqual, concatBytes, fromHex } from "./bytes.ts";
import { digest, digestSize, type HashName } from "./hash.ts";

export interface RsaPublicKey {
  readonly kind: "rsa";
  readonly n: bigint;
  readonly e: bigint;
}

export interface RsaPrivateKey extends RsaPublicKey {
  readonly d: bigint;
  readonly p?: bigint | undefined;
  readonly q?: bigint | undefined;
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

const DIGEST_INFO: Partial<Record<HashName, string>> = {
  md5: "3020300c06082a864886f70d020505000410",
  sha1: "3021300906052b0e03021a05000414",
  sha224: "302d300d06096086480165030402040500041c",
  sha256: "3031300d060960864801650304020105000420",
  sha384: "3041300d060960864801650304020205000430",
  sha512: "3051300d060960864801650304020305000440",
};

function pkcs1Encoded(hash: HashName, hashed: Uint8Array, k: number): Uint8Array | undefined {
  const prefix = fromHex(DIGEST_INFO[hash]!);
  const t = concatBytes(prefix, hashed);
  if (k < t.length + 11) return undefined;
  const em = new Uint8Array(k);
  em[1] = 1;
  em.fill(0xff, 2, k - t.length - 1);
  em.set(t, k - t.length);
  return em;
}

export function verifyPkcs1v15(
  key: RsaPublicKey,
  hash: HashName,
  hashed: Uint8Array,
  sig: Uint8Array,
): boolean {
  const k = Math.ceil(bitLength(key.n) / 8);
  if (sig.length !== k) return false;
  const s = bigintFrom(sig);
  if (s >= key.n) return false;
  const em = integerToBytes(modPow(s, key.e, key.n), k);
  const want = pkcs1Encoded(hash, hashed, k);
  return want !== undefined && bytesEqual(em, want);
}

export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [((a % m) + m) % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

/** m^d mod n, with the Chinese remainder theorem when the primes are known. */
function privateOp(key: RsaPrivateKey, m: bigint): bigint {
  const { p, q, d, n } = key;
  if (!p || !q || p * q !== n) return modPow(m, d, n);
  const m1 = modPow(m % p, d % (p - 1n), p);
  const m2 = modPow(m % q, d % (q - 1n), q);
  const h = (modInverse(q, p) * (((m1 - m2) % p) + p)) % p;
  return m2 + h * q;
}

export function signPkcs1v15(key: RsaPrivateKey, hash: HashName, hashed: Uint8Array): Uint8Array {
  const k = Math.ceil(bitLength(key.n) / 8);
  const em = pkcs1Encoded(hash, hashed, k);
  if (!em) throw new Error("crypto/rsa: message too long for RSA key size");
  return integerToBytes(privateOp(key, bigintFrom(em)), k);
}

function mgf1(hash: HashName, seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const hl = digestSize(hash);
  for (let c = 0, o = 0; o < len; c++, o += hl) {
    const cnt = new Uint8Array([(c >>> 24) & 255, (c >>> 16) & 255, (c >>> 8) & 255, c & 255]);
    const h = digest(hash, concatBytes(seed, cnt));
    out.set(h.subarray(0, Math.min(hl, len - o)), o);
  }
  return out;
}

/** PSS verification with the salt length detected from the signature (Go's PSSSaltLengthAuto). */
export function verifyPss(
  key: RsaPublicKey,
  hash: HashName,
  hashed: Uint8Array,
  sig: Uint8Array,
): boolean {
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  if (sig.length !== k) return false;
  const s = bigintFrom(sig);
  if (s >= key.n) return false;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const m = modPow(s, key.e, key.n);
  if (bitLength(m) > emLen * 8) return false;
  const em = integerToBytes(m, emLen);
  const hLen = digestSize(hash);
  if (emLen < hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDB = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topBits = 8 * emLen - emBits;
  if (topBits > 0 && maskedDB[0]! >> (8 - topBits) !== 0) return false;
  const db = mgf1(hash, h, maskedDB.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= maskedDB[i]!;
  if (topBits > 0) db[0]! &= 0xff >> topBits;
  let i = 0;
  while (i < db.length && db[i] === 0) i++;
  if (i >= db.length || db[i] !== 1) return false;
  const salt = db.subarray(i + 1);
  const mPrime = concatBytes(new Uint8Array(8), hashed, salt);
  return bytesEqual(digest(hash, mPrime), h);
}

/** PSS signature with a salt as long as the hash. */
export function signPss(
  key: RsaPrivateKey,
  hash: HashName,
  hashed: Uint8Array,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = digestSize(hash);
  const sLen = hLen;
  if (emLen < hLen + sLen + 2) throw new Error("crypto/rsa: key size too small for PSS signature");
  const salt = randomBytes(sLen);
  const h = digest(hash, concatBytes(new Uint8Array(8), hashed, salt));
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - sLen - 1] = 1;
  db.set(salt, db.length - sLen);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  const topBits = 8 * emLen - emBits;
  if (topBits > 0) db[0]! &= 0xff >> topBits;
  const em = concatBytes(db, h, new Uint8Array([0xbc]));
  return integerToBytes(privateOp(key, bigintFrom(em)), k);
}
