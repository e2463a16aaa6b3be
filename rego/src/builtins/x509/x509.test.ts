import { p256 } from "@noble/curves/nist.js";
import { describe, expect, it } from "vitest";
import { RObject, type Value } from "../../value.ts";
import { derElement, integerToBytes } from "../crypto/asn1.ts";
import {
  base64Encode,
  base64UrlDecode,
  base64UrlEncodeNoPad,
  concatBytes,
} from "../crypto/bytes.ts";
import type { BuiltinContext } from "../types.ts";
import { x509Builtins } from "./index.ts";

const ctx: BuiltinContext = {
  nowNs: 1_700_000_000_000_000_000n,
  strict: true,
  cache: new Map(),
  randomBytes: (n) => new Uint8Array(n),
};

function call(name: string, ...args: Value[]): Value | undefined {
  const def = x509Builtins.find((b) => b.name === name);
  if (!def) throw new Error(`no builtin ${name}`);
  return def.fn(args, ctx);
}

// OPA's test chain: root, intermediate, leaf (ECDSA P-256).
const CHAIN = `-----BEGIN CERTIFICATE-----
MIIBoDCCAUagAwIBAgIRAJXcMYZALXooNq/VV/grXhMwCgYIKoZIzj0EAwIwLjER
MA8GA1UEChMIT1BBIFRlc3QxGTAXBgNVBAMTEE9QQSBUZXN0IFJvb3QgQ0EwHhcN
MjEwNzAxMTc0MTUzWhcNMzEwNjI5MTc0MTUzWjAuMREwDwYDVQQKEwhPUEEgVGVz
dDEZMBcGA1UEAxMQT1BBIFRlc3QgUm9vdCBDQTBZMBMGByqGSM49AgEGCCqGSM49
AwEHA0IABFqhdZA5LjsJgzsBvhgzfayZFOk+C7PmGCi7xz6zOC3xWORJZSNOyZeJ
YzSKFmoMZkcFMfslTW1jp9fwe1xl3HWjRTBDMA4GA1UdDwEB/wQEAwIBBjASBgNV
HRMBAf8ECDAGAQH/AgEBMB0GA1UdDgQWBBTch60qxQvLl+AfDfcaXmjvT8GvpzAK
BggqhkjOPQQDAgNIADBFAiBqraIP0l2U0oNuH0+rf36hDks94wSB5EGlGH3lYNMR
ugIhANkbukX5hOP8pJDRWP/pYuv6MBnRY4BS8gpp9Vu31qOb
-----END CERTIFICATE-----
-----BEGIN CERTIFICATE-----
MIIByDCCAW6gAwIBAgIQC0k4DPGrh9me73EJX5zntTAKBggqhkjOPQQDAjAuMREw
DwYDVQQKEwhPUEEgVGVzdDEZMBcGA1UEAxMQT1BBIFRlc3QgUm9vdCBDQTAeFw0y
MTA3MDExNzQxNTNaFw0zMTA2MjkxNzQxNTNaMDYxETAPBgNVBAoTCE9QQSBUZXN0
MSEwHwYDVQQDExhPUEEgVGVzdCBJbnRlcm1lZGlhdGUgQ0EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAARvXQa7fy476gDI81nqLYb2SnD459WxBmU0hk2bA3ZuNtI+
H20KXz6ISmxH3MZ2WBm6rOy7y4Gn+WMCJuxzcl5jo2YwZDAOBgNVHQ8BAf8EBAMC
AQYwEgYDVR0TAQH/BAgwBgEB/wIBADAdBgNVHQ4EFgQUuslZNjJl0V8I1Gj17IID
ALy/9WEwHwYDVR0jBBgwFoAU3IetKsULy5fgHw33Gl5o70/Br6cwCgYIKoZIzj0E
AwIDSAAwRQIgUwsYApW9Tsm6AstWswaKGie0srB4FUkUbfKwWmUI2JgCIQCBTySN
MF+EiQAMKyz/N9KUuXEckC356WvKcyJaYYcV0w==
-----END CERTIFICATE-----
-----BEGIN CERTIFICATE-----
MIIB8zCCAZqgAwIBAgIRAID4gPKg7DDiuOfzUYFSXLAwCgYIKoZIzj0EAwIwNjER
MA8GA1UEChMIT1BBIFRlc3QxITAfBgNVBAMTGE9QQSBUZXN0IEludGVybWVkaWF0
ZSBDQTAeFw0yMTA3MDUxNzQ5NTBaFw0zNjA3MDExNzQ5NDdaMCUxIzAhBgNVBAMT
Gm5vdGFyZWFsc2l0ZS5vcGEubG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAE1YSXZXeaGGL+XeYyoPi/QdA39Ds4fgxSHJTMh+js393kByPm2PNtFkem
tUii3KCRJw3SEh3z0JWr/9y4+ua2L6OBmTCBljAOBgNVHQ8BAf8EBAMCB4AwHQYD
VR0lBBYwFAYIKwYBBQUHAwEGCCsGAQUFBwMCMB0GA1UdDgQWBBRL0P0g17viZHo9
CnXe3ZQJm48LXTAfBgNVHSMEGDAWgBS6yVk2MmXRXwjUaPXsggMAvL/1YTAlBgNV
HREEHjAcghpub3RhcmVhbHNpdGUub3BhLmxvY2FsaG9zdDAKBggqhkjOPQQDAgNH
ADBEAiAtmZewL94ijN0YwUGaJM9BXCaoTQPwkzugqjCj+K912QIgKKFvbPu4asrE
nwy7dzejHmQUcZ/aUNbc4VTbiv15ESk=
-----END CERTIFICATE-----
`;

const cn = (c: Value) => ((c as RObject).get("Subject") as RObject).get("CommonName");
const pem = (type: string, der: Uint8Array) =>
  `-----BEGIN ${type}-----\n${base64Encode(der).replace(/(.{64})/g, "$1\n")}\n-----END ${type}-----\n`;
const seq = (...xs: Uint8Array[]) => derElement(0x30, concatBytes(...xs));
const int = (x: bigint) => {
  const b = integerToBytes(x);
  return derElement(0x02, b[0]! & 0x80 ? concatBytes(new Uint8Array([0]), b) : b);
};
const big = (s: string) => BigInt(`0x${Buffer.from(base64UrlDecode(s)).toString("hex")}`);

describe("crypto.x509", () => {
  it("parses PEM chains and their base64 form", () => {
    const certs = call("crypto.x509.parse_certificates", CHAIN) as Value[];
    expect(certs.map(cn)).toEqual([
      "OPA Test Root CA",
      "OPA Test Intermediate CA",
      "notarealsite.opa.localhost",
    ]);
    const leaf = certs[2] as RObject;
    expect(leaf.get("DNSNames")).toEqual(["notarealsite.opa.localhost"]);
    expect(leaf.get("PublicKeyAlgorithm")).toBe(3);
    expect(leaf.get("SignatureAlgorithm")).toBe(10);
    expect((certs[0] as RObject).get("IsCA")).toBe(true);
    const b64 = call(
      "crypto.x509.parse_certificates",
      base64Encode(new TextEncoder().encode(CHAIN)),
    );
    expect((b64 as Value[]).length).toBe(3);
    expect(() => call("crypto.x509.parse_certificates", "YmFkc3RyaW5n")).toThrow(
      "x509: malformed certificate",
    );
  });

  it("verifies the chain back to the first certificate", () => {
    const opts = RObject.fromRecord({ CurrentTime: 1_700_000_000_000_000_000n });
    const [ok, chain] = call(
      "crypto.x509.parse_and_verify_certificates_with_options",
      CHAIN,
      opts,
    ) as Value[];
    expect(ok).toBe(true);
    expect((chain as Value[]).map(cn)).toEqual([
      "notarealsite.opa.localhost",
      "OPA Test Intermediate CA",
      "OPA Test Root CA",
    ]);
    const blocks = CHAIN.split(/(?=-----BEGIN)/);
    const reversed = [...blocks].reverse().join("\n");
    const [bad] = call(
      "crypto.x509.parse_and_verify_certificates_with_options",
      reversed,
      opts,
    ) as Value[];
    expect(bad).toBe(false);
    const late = RObject.fromRecord({ CurrentTime: 4_000_000_000_000_000_000n });
    expect(
      (call("crypto.x509.parse_and_verify_certificates_with_options", CHAIN, late) as Value[])[0],
    ).toBe(false);
    const wrongHost = RObject.fromRecord({
      CurrentTime: 1_700_000_000_000_000_000n,
      DNSName: "example.com",
    });
    expect(
      (
        call("crypto.x509.parse_and_verify_certificates_with_options", CHAIN, wrongHost) as Value[]
      )[0],
    ).toBe(false);
  });

  it("parses private keys (RSA as JWK, EC as Go's key struct)", () => {
    // RFC 7515 appendix A.2 key
    const n =
      "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
    const d =
      "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ";
    const p =
      "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc";
    const q =
      "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc";
    const der = seq(
      int(0n),
      int(big(n)),
      int(65537n),
      int(big(d)),
      int(big(p)),
      int(big(q)),
      int(0n),
      int(0n),
      int(0n),
    );
    const jwk = call("crypto.x509.parse_rsa_private_key", pem("RSA PRIVATE KEY", der)) as RObject;
    expect(jwk.get("n")).toBe(n);
    expect(jwk.get("e")).toBe("AQAB");
    // dp/dq/qi are derived from d, p and q (RFC 7515's values).
    expect(jwk.get("dp")).toBe(
      "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",
    );
    expect(() => call("crypto.x509.parse_rsa_private_key", "invalid")).toThrow("illegal base64");

    const sk = p256.utils.randomSecretKey();
    const pt = p256.getPublicKey(sk, false);
    const ec = seq(
      int(1n),
      derElement(0x04, sk),
      derElement(
        0xa0,
        new Uint8Array([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
      ),
      derElement(0xa1, derElement(0x03, concatBytes(new Uint8Array([0]), pt))),
    );
    const keys = call(
      "crypto.parse_private_keys",
      pem("EC PRIVATE KEY", ec) + pem("RSA PRIVATE KEY", der),
    ) as Value[];
    expect(keys.length).toBe(2);
    expect(
      base64UrlEncodeNoPad(integerToBytes(BigInt((keys[0] as RObject).get("X") as bigint), 32)),
    ).toBe(base64UrlEncodeNoPad(pt.subarray(1, 33)));
    const ecJwk = call("crypto.x509.parse_rsa_private_key", pem("EC PRIVATE KEY", ec)) as RObject;
    expect(ecJwk.get("kty")).toBe("EC");
    expect(ecJwk.get("x")).toBe(base64UrlEncodeNoPad(pt.subarray(1, 33)));
    expect(ecJwk.get("d")).toBe(base64UrlEncodeNoPad(sk));
    expect(call("crypto.parse_private_keys", "nope")).toEqual([]);
    expect(call("crypto.parse_private_keys", "")).toBe(null);
  });
});
