/** `providers.aws.sign_req`: AWS Signature Version 4 over a request object, as OPA signs it. */
import { BuiltinError, OperandTypeError } from "../../errors.ts";
import { RObject, typeName, type Value } from "../../value.ts";
import { goJSON, objectOperand, toHex, utf8 } from "../crypto/bytes.ts";
import { digest, hmacDigest } from "../crypto/hash.ts";
import { named } from "../crypto/named.ts";
import type { BuiltinDef, BuiltinTable } from "../types.ts";
import { HTTP_REQUEST_KEYS } from "../http-request-keys.ts";

const REQUIRED_CONFIG = ["aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"];
const IGNORED_HEADERS = new Set(["authorization", "user-agent", "x-amzn-trace-id"]);

/** A set of strings printed as OPA prints a Rego set: `{"a", "b"}`. */
function setText(items: string[]): string {
  return `{${[...items]
    .sort()
    .map((s) => JSON.stringify(s))
    .join(", ")}}`;
}

function operandError(pos: number, msg: string): never {
  throw new OperandTypeError(`operand ${pos} ${msg}`);
}

const str = (v: Value | undefined): string => (typeof v === "string" ? v : "");

interface ParsedUrl {
  host: string;
  path: string;
  query: string;
}

function parseUrl(u: string): ParsedUrl {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?/.exec(u);
  if (!m) throw new BuiltinError(`parse ${JSON.stringify(u)}: invalid URL`);
  const authority = m[2] ?? "";
  const host = authority.includes("@")
    ? authority.slice(authority.lastIndexOf("@") + 1)
    : authority;
  return { host, path: escapePath(m[3] ?? ""), query: m[4] ?? "" };
}

/** Go's `url.URL.EscapedPath` for a path as written: kept when validly encoded, else escaped. */
function escapePath(p: string): string {
  if (/^[A-Za-z0-9\-._~!$&'()*+,;=:@/[\]%]*$/.test(p) && !/%(?![0-9A-Fa-f]{2})/.test(p)) return p;
  let path = p;
  try {
    path = decodeURIComponent(p);
  } catch {
    // keep as written
  }
  let out = "";
  for (const b of utf8(path)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~$&+,/:;=@]/.test(c)
      ? c
      : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function formatTime(ns: bigint): [string, string] {
  const d = new Date(Number(ns / 1_000_000n));
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const day = `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`;
  return [day, `${day}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`];
}

function signReq(args: readonly Value[]): Value {
  const req = objectOperand(args, 0);
  const config = objectOperand(args, 1);
  const missing = REQUIRED_CONFIG.filter((k) => !config.has(k));
  if (missing.length)
    operandError(2, `missing required AWS config parameters(s): ${setText(missing)}`);
  const invalid = REQUIRED_CONFIG.filter((k) => typeof config.get(k) !== "string");
  if (invalid.length) {
    operandError(2, `invalid values for required AWS config parameters(s): ${setText(invalid)}`);
  }
  const t = args[2]!;
  if (typeof t !== "number" && typeof t !== "bigint") {
    throw new OperandTypeError(`operand 3 must be number but got ${typeName(t)}`);
  }
  if (typeof t === "number" && (!Number.isInteger(t) || !Number.isSafeInteger(t))) {
    operandError(3, "could not convert time_ns value into a unix timestamp");
  }
  const ns = BigInt(t);
  const keys = [...req.keys()].map((k) => (typeof k === "string" ? k : JSON.stringify(k)));
  const unknown = keys.filter((k) => !HTTP_REQUEST_KEYS.has(k));
  if (unknown.length) operandError(1, `invalid request parameters(s): ${setText(unknown)}`);
  const reqMissing = ["method", "url"].filter((k) => !req.has(k));
  if (reqMissing.length) {
    operandError(1, `missing required request parameters(s): ${setText(reqMissing)}`);
  }
  const headersV = req.get("headers");
  if (headersV !== undefined && !(headersV instanceof RObject)) {
    throw new OperandTypeError(`operand 1 must be object but got ${typeName(headersV)}`);
  }
  const badParams = ["method", "url"].filter((k) => typeof req.get(k) !== "string");
  if (badParams.length) {
    operandError(1, `invalid values for required request parameters(s): ${setText(badParams)}`);
  }
  const url = parseUrl(req.get("url") as string);
  const method = req.get("method") as string;
  const rawBody = req.get("raw_body");
  const bodyV = req.get("body");
  const body = rawBody !== undefined ? str(rawBody) : bodyV !== undefined ? goJSON(bodyV) : "";
  const headers = new Map<string, string>();
  for (const [k, v] of (headersV as RObject | undefined)?.entries() ?? [])
    headers.set(str(k), str(v));
  const dps = config.get("disable_payload_signing");
  if (dps !== undefined && typeof dps !== "boolean") {
    operandError(2, "invalid value for 'disable_payload_signing' in AWS config");
  }
  const service = config.get("aws_service") as string;
  const region = config.get("aws_region") as string;
  const token = str(config.get("aws_session_token"));
  const payloadHash = dps === true ? "UNSIGNED-PAYLOAD" : toHex(digest("sha256", utf8(body)));
  const [day, stamp] = formatTime(ns);

  const awsHeaders = new Map<string, string>([
    ["host", url.host],
    ["x-amz-date", stamp],
  ]);
  if (service === "s3" || service === "glacier")
    awsHeaders.set("x-amz-content-sha256", payloadHash);
  if (token !== "") awsHeaders.set("x-amz-security-token", token);
  const toSign = new Map(awsHeaders);
  for (const [k, v] of headers) {
    const lk = k.toLowerCase();
    if (!IGNORED_HEADERS.has(lk)) toSign.set(lk, v);
  }
  const names = [...toSign.keys()].sort();
  const signedHeaders = names.join(";");
  const canonical = [
    method,
    url.path,
    url.query,
    ...names.map((k) => `${k}:${toSign.get(k)}`),
    "",
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${toHex(digest("sha256", utf8(canonical)))}`;
  let key = hmacDigest(
    "sha256",
    utf8(`AWS4${config.get("aws_secret_access_key") as string}`),
    utf8(day),
  );
  for (const part of [region, service, "aws4_request"]) key = hmacDigest("sha256", key, utf8(part));
  const signature = toHex(hmacDigest("sha256", key, utf8(stringToSign)));

  const out = new RObject(req.entries());
  const signed = new RObject();
  for (const [k, v] of headers) signed.set(k, v);
  signed.set(
    "Authorization",
    `AWS4-HMAC-SHA256 Credential=${config.get("aws_access_key") as string}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`,
  );
  for (const [k, v] of awsHeaders) signed.set(k, v);
  out.set("headers", signed);
  return out;
}

const defs: BuiltinDef[] = [
  {
    name: "providers.aws.sign_req",
    args: [{ object: ["any", "any"] }, { object: ["any", "any"] }, "number"],
    result: { object: ["any", "any"] },
    fn: signReq,
  },
];

export const awsBuiltins: BuiltinTable = named(defs);
