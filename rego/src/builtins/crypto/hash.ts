/** Hash functions by name, from @noble/hashes (pure JS, synchronous). */
import { hmac } from "@noble/hashes/hmac.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha224, sha256, sha384, sha512 } from "@noble/hashes/sha2.js";

export type HashName = "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512";

type Fn = ((msg: Uint8Array) => Uint8Array) & { outputLen: number; blockLen: number };

const HASHES: Record<HashName, Fn> = {
  md5: md5 as unknown as Fn,
  sha1: sha1 as unknown as Fn,
  sha224: sha224 as unknown as Fn,
  sha256: sha256 as unknown as Fn,
  sha384: sha384 as unknown as Fn,
  sha512: sha512 as unknown as Fn,
};

export function digest(name: HashName, msg: Uint8Array): Uint8Array {
  return HASHES[name](msg);
}

export function digestSize(name: HashName): number {
  return HASHES[name].outputLen;
}

export function hmacDigest(name: HashName, key: Uint8Array, msg: Uint8Array): Uint8Array {
  // biome-ignore lint/suspicious/noExplicitAny: noble's CHash type is wider than ours.
  return hmac(HASHES[name] as any, key, msg);
}
