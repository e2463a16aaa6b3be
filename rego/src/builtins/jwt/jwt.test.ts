import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { describe, expect, it } from "vitest";
import { fromJSON, RObject, type Value } from "../../value.ts";
import { base64UrlEncodeNoPad } from "../crypto/bytes.ts";
import type { BuiltinContext } from "../types.ts";
import { jwtBuiltins } from "./index.ts";

const ctx: BuiltinContext = {
  nowNs: 1_700_000_000_000_000_000n,
  strict: true,
  cache: new Map(),
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
};

function call(name: string, ...args: unknown[]): Value | undefined {
  const def = jwtBuiltins.find((b) => b.name === name);
  if (!def) throw new Error(`no builtin ${name}`);
  return def.fn(
    args.map((a) => (a instanceof RObject ? a : fromJSON(a))),
    ctx,
  );
}

// RFC 7515 appendix A.2: RSA key and the RS256 signature it yields.
const RFC_RSA = {
  kty: "RSA",
  n: "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
  e: "AQAB",
  d: "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
  p: "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
  q: "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
};
const RFC_RS256 =
  "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
const RFC_PAYLOAD = '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}';

function tamper(jwt: string): string {
  const last = jwt.at(-2) === "A" ? "B" : "A";
  return `${jwt.slice(0, -2)}${last}${jwt.at(-1)}`;
}

describe("io.jwt", () => {
  it("signs RS256 deterministically as in RFC 7515 A.2 and verifies it", () => {
    const jwt = call(
      "io.jwt.encode_sign_raw",
      '{"alg":"RS256"}',
      RFC_PAYLOAD,
      JSON.stringify(RFC_RSA),
    );
    expect(jwt).toBe(RFC_RS256);
    const pub = JSON.stringify({ kty: "RSA", n: RFC_RSA.n, e: RFC_RSA.e });
    expect(call("io.jwt.verify_rs256", RFC_RS256, pub)).toBe(true);
    expect(call("io.jwt.verify_rs256", tamper(RFC_RS256), pub)).toBe(false);
    expect(call("io.jwt.verify_ps256", RFC_RS256, pub)).toBe(false);
  });

  it("signs the same without the primes (no CRT)", () => {
    const { p: _p, q: _q, ...noPrimes } = RFC_RSA;
    const jwt = call(
      "io.jwt.encode_sign_raw",
      '{"alg":"RS256"}',
      RFC_PAYLOAD,
      JSON.stringify(noPrimes),
    );
    expect(jwt).toBe(RFC_RS256);
  });

  it("round-trips PS384 with a random salt", () => {
    const jwt = call("io.jwt.encode_sign", { alg: "PS384" }, { sub: "x" }, RFC_RSA) as string;
    const pub = JSON.stringify({ kty: "RSA", n: RFC_RSA.n, e: RFC_RSA.e });
    expect(call("io.jwt.verify_ps384", jwt, pub)).toBe(true);
    expect(call("io.jwt.verify_ps384", tamper(jwt), pub)).toBe(false);
  });

  it("round-trips ES256 and EdDSA with generated keys", () => {
    const sk = p256.utils.randomSecretKey();
    const pt = p256.getPublicKey(sk, false);
    const ec = {
      kty: "EC",
      crv: "P-256",
      x: base64UrlEncodeNoPad(pt.subarray(1, 33)),
      y: base64UrlEncodeNoPad(pt.subarray(33)),
    };
    const jwt = call(
      "io.jwt.encode_sign",
      { alg: "ES256" },
      { a: 1 },
      { ...ec, d: base64UrlEncodeNoPad(sk) },
    ) as string;
    expect(call("io.jwt.verify_es256", jwt, JSON.stringify(ec))).toBe(true);
    expect(call("io.jwt.verify_es256", tamper(jwt), JSON.stringify(ec))).toBe(false);

    const seed = ed25519.utils.randomSecretKey();
    const okp = { kty: "OKP", crv: "Ed25519", x: base64UrlEncodeNoPad(ed25519.getPublicKey(seed)) };
    const ed = call(
      "io.jwt.encode_sign",
      { alg: "EdDSA" },
      { a: 1 },
      { ...okp, d: base64UrlEncodeNoPad(seed) },
    ) as string;
    expect(call("io.jwt.verify_eddsa", ed, JSON.stringify(okp))).toBe(true);
    expect(call("io.jwt.verify_eddsa", tamper(ed), JSON.stringify(okp))).toBe(false);
  });

  it("decodes, and decode_verify checks signature and claims", () => {
    const key = { kty: "oct", k: base64UrlEncodeNoPad(new TextEncoder().encode("42")) };
    const jwt = call("io.jwt.encode_sign", { alg: "HS256" }, { iss: "me", exp: 2e9 }, key);
    expect(jwt).toBe(
      "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjIwMDAwMDAwMDAsImlzcyI6Im1lIn0.osWmhHdQt2jWHSc1zz8xVPDRHfKVqZsBcx8bFBfADCU",
    );
    const [h, p] = call("io.jwt.decode", jwt) as Value[];
    expect(h).toEqual(fromJSON({ alg: "HS256" }));
    expect(p).toEqual(fromJSON({ iss: "me", exp: 2e9 }));
    expect(call("io.jwt.verify_hs256", jwt, "42")).toBe(true);
    expect(call("io.jwt.verify_hs256", jwt, "43")).toBe(false);
    const ok = call("io.jwt.decode_verify", jwt, { secret: "42", iss: "me" }) as Value[];
    expect(ok[0]).toBe(true);
    expect((call("io.jwt.decode_verify", jwt, { secret: "42", iss: "you" }) as Value[])[0]).toBe(
      false,
    );
    expect((call("io.jwt.decode_verify", jwt, { secret: "43" }) as Value[])[0]).toBe(false);
    // Expired at a later time (nanoseconds).
    expect((call("io.jwt.decode_verify", jwt, { secret: "42", time: 3e18 }) as Value[])[0]).toBe(
      false,
    );
  });

  it("reports malformed tokens and constraints as builtin errors", () => {
    expect(() => call("io.jwt.decode", "a.b")).toThrow(
      "io.jwt.decode: encoded JWT must have 3 sections, found 2",
    );
    expect(() => call("io.jwt.decode", "eyJhbGciOiJIU^%zI1NiI+sInR5cCI6IkpXVCJ9.e30.")).toThrow(
      "JWT header had invalid encoding: illegal base64 data at input byte 13",
    );
    expect(() => call("io.jwt.decode_verify", "a.b.c", { foo: 1, secret: "x" })).toThrow(
      "unknown token validation constraint: foo",
    );
    const key = { kty: "oct", k: "NDI" };
    const bad = call("io.jwt.encode_sign", { alg: "HS256" }, { exp: null }, key);
    expect(() => call("io.jwt.decode_verify", bad, { secret: "42" })).toThrow(
      "exp value must be a number",
    );
    expect(() => call("io.jwt.encode_sign_raw", '{"alg":"x"}', "{}", JSON.stringify(key))).toThrow(
      "unknown JWS algorithm: x",
    );
  });
});
