import { describe, expect, it } from "vitest";
import type { BuiltinContext } from "../types.ts";
import { cryptoHashBuiltins } from "./hashes.ts";

const ctx: BuiltinContext = {
  nowNs: 0n,
  strict: true,
  cache: new Map(),
  randomBytes: (n) => new Uint8Array(n),
};

function call(name: string, ...args: string[]) {
  const def = cryptoHashBuiltins.find((b) => b.name === name);
  if (!def) throw new Error(`no builtin ${name}`);
  return def.fn(args, ctx);
}

describe("crypto hashes", () => {
  it("computes known digests", () => {
    expect(call("crypto.md5", "lorem ipsum")).toBe("80a751fde577028640c419000e33eba6");
    expect(call("crypto.sha1", "lorem ipsum")).toBe("bfb7759a67daeb65410490b4d98bb9da7d1ea2ce");
    expect(call("crypto.sha256", "")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("computes HMACs of the message with the key", () => {
    expect(call("crypto.hmac.md5", "foo", "bar")).toBe("31b6db9e5eb4addb42f1a6ca07367adc");
    expect(call("crypto.hmac.sha1", "foo", "bar")).toBe("85d155c55ed286a300bd1cf124de08d87e914f3a");
    // RFC 4231 test case 2
    expect(call("crypto.hmac.sha256", "what do ya want for nothing?", "Jefe")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("hashes the UTF-8 bytes of non-ASCII text", () => {
    expect(call("crypto.hmac.md5", "åäöçß🥲♙Ω", "秘密の")).toBe("20a8743c2157ac60b7e8b79c83651b8d");
  });

  it("compares MACs", () => {
    expect(call("crypto.hmac.equal", "abc", "abc")).toBe(true);
    expect(call("crypto.hmac.equal", "abc", "abd")).toBe(false);
    expect(call("crypto.hmac.equal", "abc", "ab")).toBe(false);
  });

  it("rejects operands of the wrong type", () => {
    const def = cryptoHashBuiltins.find((b) => b.name === "crypto.md5")!;
    expect(() => def.fn([1], ctx)).toThrow("operand 1 must be string but got number");
  });
});
