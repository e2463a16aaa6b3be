import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";

/**
 * A WireGuard key pair (Curve25519), base64 as `wg genkey`/`wg pubkey` print
 * them, made with node:crypto so `join` needs no `wg` binary.
 */
export function generateWireGuardKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("x25519");
  const priv = privateKey.export({ format: "jwk" }).d!;
  const pub = publicKey.export({ format: "jwk" }).x!;
  return { privateKey: b64(priv), publicKey: b64(pub) };
}

/** The public key of a base64 WireGuard private key. */
export function wireGuardPublicKey(privateKey: string): string {
  const d = Buffer.from(privateKey, "base64").toString("base64url");
  const key = createPrivateKey({ key: { kty: "OKP", crv: "X25519", d, x: "" }, format: "jwk" });
  return b64(createPublicKey(key).export({ format: "jwk" }).x!);
}

function b64(base64url: string): string {
  return Buffer.from(base64url, "base64url").toString("base64");
}
