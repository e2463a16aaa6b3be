import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  cryptoRandom,
  generateToken,
  hashToken,
  tokenHint,
  tokenKind,
} from "./tokens.ts";

describe("tokens", () => {
  it("have the kind's visible prefix and 40 base62 characters", () => {
    for (const kind of ["admin", "ingest", "enroll", "node"] as const) {
      const token = generateToken(kind, cryptoRandom);
      expect(token).toMatch(new RegExp(`^tk_${kind}_[A-Za-z0-9]{40}$`));
      expect(tokenKind(token)).toBe(kind);
    }
    expect(tokenKind("sk_live_x")).toBeUndefined();
  });

  it("are uniform over the alphabet even from a biased byte source", () => {
    // Bytes >= 248 must be rejected, not folded onto the first characters.
    const token = generateToken("admin", (n) =>
      new Uint8Array(n).fill(255).map((_, i) => (i % 2 ? 255 : 61)),
    );
    expect(token.slice(9)).toBe("9".repeat(40));
  });

  it("show only a hint in listings", () => {
    expect(tokenHint("tk_admin_AbCdEfGh")).toBe("tk_admin_AbCd…");
  });

  it("hash to hex SHA-256", async () => {
    expect(await hashToken("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("compare in constant time, still exactly", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "ab")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
  });
});
