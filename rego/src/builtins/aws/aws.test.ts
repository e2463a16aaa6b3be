import { describe, expect, it } from "vitest";
import { fromJSON, type RObject, type Value } from "../../value.ts";
import type { BuiltinContext } from "../types.ts";
import { awsBuiltins } from "./index.ts";

const ctx: BuiltinContext = {
  nowNs: 0n,
  strict: true,
  cache: new Map(),
  randomBytes: (n) => new Uint8Array(n),
};

const sign = (req: unknown, config: unknown, ns: bigint = 1451311705000000000n) =>
  awsBuiltins[0]!.fn([fromJSON(req), fromJSON(config), ns], ctx) as RObject;

const CONFIG = {
  aws_access_key: "MYAWSACCESSKEYGOESHERE",
  aws_secret_access_key: "MYAWSSECRETACCESSKEYGOESHERE",
  aws_service: "s3",
  aws_region: "us-east-1",
};

describe("providers.aws.sign_req", () => {
  it("signs with SigV4 and adds the AWS headers", () => {
    const req = { method: "get", url: "https://example.com", headers: { foo: "bar" } };
    const out = sign(req, CONFIG);
    const h = out.get("headers") as RObject;
    expect(h.get("Authorization")).toBe(
      "AWS4-HMAC-SHA256 Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request,SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=8f1dc7c9b9978356a0d0989fd26a95307f4f8a4aa264d8220647b7097d839952",
    );
    expect(h.get("x-amz-date")).toBe("20151228T140825Z");
    expect(h.get("host")).toBe("example.com");
    expect(h.get("foo")).toBe("bar");
    expect(out.get("method")).toBe("get");
  });

  it("can leave the payload unsigned", () => {
    const req = { method: "get", url: "https://example.com", headers: { foo: "bar" } };
    const h = sign(req, { ...CONFIG, disable_payload_signing: true }).get("headers") as RObject;
    expect(h.get("x-amz-content-sha256")).toBe("UNSIGNED-PAYLOAD");
    expect(String(h.get("Authorization"))).toContain(
      "Signature=c6e6db654e92172f71e18c714c123711de069ac6fd7df1348e5b28fd05532028",
    );
  });

  it("signs the session token and the JSON body", () => {
    const req = { method: "post", url: "http://example.com/a?b=c", body: { x: [1, 2] } };
    const h = sign(req, { ...CONFIG, aws_session_token: "T" }).get("headers") as RObject;
    expect(h.get("x-amz-security-token")).toBe("T");
    expect(String(h.get("Authorization"))).toContain(
      "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,",
    );
  });

  it("signs the escaped path and the raw query", () => {
    const auth = (url: string) =>
      String(
        (
          sign({ method: "get", url }, { ...CONFIG, aws_service: "execute-api" }).get(
            "headers",
          ) as RObject
        ).get("Authorization"),
      );
    // Same canonical request, so the same signature, for a space written raw or escaped.
    expect(auth("https://example.com/a b?x=1")).toBe(auth("https://example.com/a%20b?x=1"));
    expect(auth("https://example.com/a?x=1")).not.toBe(auth("https://example.com/a?x=2"));
    expect(auth("https://example.com/a")).toContain("SignedHeaders=host;x-amz-date,");
  });

  it("reports missing and invalid parameters as type errors", () => {
    expect(() => sign({}, CONFIG)).toThrow(
      'operand 1 missing required request parameters(s): {"method", "url"}',
    );
    expect(() => sign({ method: "get", url: "x" }, { example: 1 })).toThrow(
      'operand 2 missing required AWS config parameters(s): {"aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"}',
    );
    const v: Value = 1.5;
    expect(() => awsBuiltins[0]!.fn([fromJSON({}), fromJSON(CONFIG), v], ctx)).toThrow(
      "could not convert time_ns value into a unix timestamp",
    );
  });
});
