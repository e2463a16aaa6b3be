import { sha256Hex } from "./canonical-json.ts";

/**
 * Credentials are random tokens with a visible prefix; only their SHA-256
 * is stored, and comparisons are constant-time.
 */
export const TOKEN_PREFIX = {
  admin: "tk_admin_",
  ingest: "tk_ingest_",
  enroll: "tk_enroll_",
  node: "tk_node_",
} as const;

export type TokenKind = keyof typeof TOKEN_PREFIX;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A new token: prefix + 40 base62 characters (~238 bits). */
export function generateToken(kind: TokenKind, random: (n: number) => Uint8Array): string {
  const out: string[] = [];
  while (out.length < 40) {
    for (const b of random(48)) {
      // Rejection sampling keeps the alphabet uniform.
      if (b < 248 && out.length < 40) out.push(ALPHABET[b % 62]!);
    }
  }
  return TOKEN_PREFIX[kind] + out.join("");
}

/** What listings show: the prefix and the first four random characters. */
export function tokenHint(token: string): string {
  const kind = tokenKind(token);
  const prefix = kind ? TOKEN_PREFIX[kind] : "";
  return `${token.slice(0, prefix.length + 4)}…`;
}

export function tokenKind(token: string): TokenKind | undefined {
  for (const [kind, prefix] of Object.entries(TOKEN_PREFIX)) {
    if (token.startsWith(prefix)) return kind as TokenKind;
  }
  return undefined;
}

/** Hex SHA-256 of the token's UTF-8 bytes. */
export function hashToken(token: string): Promise<string> {
  return sha256Hex(token);
}

/** Compares two strings in time that depends only on their length. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

export const cryptoRandom = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));
