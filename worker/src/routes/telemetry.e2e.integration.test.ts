import { describe, expect, it } from "vitest";
import { api } from "../../test/fixtures.ts";
import { ingest, ingestApp } from "../../test/ingest-fixtures.ts";

describe("telemetry end to end", () => {
  it("reads back through the listings and the stats what the ingest webhook stored", async () => {
    const { org, slug, appId, key } = await ingestApp();
    const base = Date.now() - 600_000;
    const ts = (s: number) => new Date(base + s * 1000).toISOString();
    const sent = {
      app_id: slug,
      batch_id: "e2e-1",
      syscall_events: [0, 1, 2].map((i) => ({
        syscall_name: i === 2 ? "connect" : "openat",
        syscall_num: 257,
        pid: 1234,
        comm: "python",
        args: "/etc/passwd",
        return_value: i === 1 ? -13 : 3,
        success: i !== 1,
        timestamp: ts(i),
      })),
      network_events: [0, 1].map((i) => ({
        direction: "outbound",
        protocol: "tcp",
        dst_ip: "93.184.216.34",
        dst_port: 443,
        dns_query: "example.com",
        bytes_sent: 256,
        bytes_recv: 1024,
        action: i === 0 ? "allowed" : "denied",
        timestamp: ts(i),
      })),
      file_events: [
        {
          path: "/etc/passwd",
          operation: "read",
          pid: 1234,
          comm: "python",
          success: true,
          timestamp: ts(0),
        },
      ],
    };
    expect((await ingest(key, sent)).status).toBe(201);

    const syscalls = await api("GET", `/api/telemetry/syscalls?app=${slug}`, { key: org.readKey });
    expect(syscalls.status).toBe(200);
    expect(syscalls.body.events.map((e: { syscall_name: string }) => e.syscall_name)).toEqual([
      "connect",
      "openat",
      "openat",
    ]);
    expect(syscalls.body.events[1]).toMatchObject({
      app_id: appId,
      batch_id: "e2e-1",
      return_value: -13,
      success: false,
      timestamp: ts(1).replace("Z", "000Z"),
    });
    const denied = await api("GET", `/api/telemetry/network?app=${appId}&action=denied`, {
      key: org.readKey,
    });
    expect(denied.body.events).toHaveLength(1);
    const files = await api("GET", `/api/telemetry/files?path_prefix=/etc/`, { key: org.readKey });
    expect(files.body.events.map((e: { path: string }) => e.path)).toEqual(["/etc/passwd"]);

    const from = new Date(base - 60_000).toISOString();
    const stats = await api("GET", `/api/telemetry/stats?app=${slug}&from=${from}&window=1h`, {
      key: org.readKey,
    });
    expect(stats.status).toBe(200);
    expect(stats.body.totals).toEqual({ syscalls: 3, network: 2, files: 1 });
    expect(stats.body.top_syscalls).toEqual([
      { syscall_name: "openat", count: 2, failures: 1 },
      { syscall_name: "connect", count: 1, failures: 0 },
    ]);
    expect(stats.body.destinations).toEqual([
      {
        dst_ip: "93.184.216.34",
        dst_port: 443,
        dns_query: "example.com",
        count: 2,
        bytes_sent: 512,
        bytes_recv: 2048,
        denied: 1,
      },
    ]);
    expect(
      stats.body.denied_over_time.reduce((s: number, b: { denied: number }) => s + b.denied, 0),
    ).toBe(1);
  });
});
