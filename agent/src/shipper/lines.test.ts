import { describe, expect, it } from "vitest";
import { parseEventLine } from "./lines.ts";

const file = {
  path: "/etc/passwd",
  operation: "read",
  pid: 1,
  comm: "cat",
  success: true,
  timestamp: "2026-02-21T08:00:00Z",
};

describe("parseEventLine", () => {
  it("takes the kind from the line, or from the source", () => {
    expect(parseEventLine(JSON.stringify({ kind: "file", ...file }))).toEqual({
      ok: true,
      kind: "file",
      event: file,
    });
    expect(parseEventLine(JSON.stringify(file), "file")).toMatchObject({ ok: true, kind: "file" });
    expect(parseEventLine(JSON.stringify({ kind: "file", ...file }), "file").ok).toBe(true);
  });

  it("refuses a line without a kind, with an unknown one, or with another than its source's", () => {
    expect(parseEventLine(JSON.stringify(file))).toEqual({
      ok: false,
      reason: "kind: missing (one of syscall, network, file)",
    });
    expect(parseEventLine(JSON.stringify({ kind: "dns", ...file }))).toMatchObject({ ok: false });
    expect(parseEventLine(JSON.stringify({ kind: "file", ...file }), "network")).toEqual({
      ok: false,
      reason: "kind: file in a source of network events",
    });
  });

  it("names each field the shared schema refuses", () => {
    const r = parseEventLine(
      JSON.stringify({
        kind: "network",
        direction: "sideways",
        protocol: "tcp",
        dst_ip: "1.2.3.999",
        action: "allowed",
        timestamp: "2026-02-21T08:00:00Z",
        uid: 0,
      }),
    );
    expect(r.ok).toBe(false);
    const reason = (r as { reason: string }).reason;
    expect(reason).toContain("direction: must be one of inbound, outbound");
    expect(reason).toContain("dst_ip: must be an IPv4 or IPv6 address");
    expect(reason).toContain("unknown field(s) uid");
  });

  it("refuses what is not a JSON object", () => {
    for (const text of ["", "{", "[]", "5", "null", '"x"'])
      expect(parseEventLine(text, "file").ok, text).toBe(false);
  });
});
