import type { TelemetryEvent } from "./events.ts";

/** The same policy as `policy.rego`, written by hand in JavaScript (the baseline). */
export interface Decision {
  allow: boolean;
  violations: string[];
  severity: "critical" | "warning" | "none";
}

const BASE = new Set([
  "read",
  "write",
  "openat",
  "close",
  "fstat",
  "mmap",
  "munmap",
  "brk",
  "futex",
  "epoll_wait",
  "recvfrom",
  "sendto",
  "getpid",
  "clock_gettime",
]);
const APP_SYSCALLS: Record<string, Set<string>> = {
  api: new Set(["accept4", "connect", "socket", "setsockopt"]),
  worker: new Set(["connect", "socket", "clone", "wait4"]),
  batch: new Set(["clone", "execve", "wait4", "pipe2"]),
};
const DANGEROUS = new Set([
  "ptrace",
  "init_module",
  "finit_module",
  "kexec_load",
  "bpf",
  "mount",
  "umount2",
  "pivot_root",
  "setns",
  "unshare",
]);
/** Glob patterns with "/" as separator, precompiled. */
const SENSITIVE = [
  "/etc/shadow",
  "/etc/sudoers*",
  "/root/**",
  "/proc/*/mem",
  "/var/run/docker.sock",
  "**/.ssh/**",
].map(globToRegExp);
const WRITABLE = ["/tmp/", "/var/tmp/", "/app/data/"];
const INTERNAL = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(parseCidr);
const EGRESS: Record<string, [number, number][]> = {
  api: ["10.20.0.0/16", "203.0.113.0/24"].map(parseCidr),
  worker: ["10.30.0.0/16"].map(parseCidr),
  batch: ["198.51.100.0/24"].map(parseCidr),
};
const PORTS: Record<string, Set<number>> = {
  api: new Set([443, 5432]),
  worker: new Set([443, 6379]),
  batch: new Set([443]),
};
const SHELLS = new Set(["sh", "bash", "zsh", "dash"]);
const CRITICAL = new Set(["dangerous syscall", "cloud metadata access", "sensitive file access"]);

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        re += ".*";
        i++;
      } else re += "[^/]*";
    } else re += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function ip4(s: string): number | undefined {
  const p = s.split(".");
  if (p.length !== 4) return undefined;
  let n = 0;
  for (const x of p) n = n * 256 + Number(x);
  return n;
}

function parseCidr(c: string): [number, number] {
  const [ip, bits] = c.split("/");
  const size = 2 ** (32 - Number(bits));
  const base = ip4(ip!)!;
  return [base - (base % size), size];
}

const inCidrs = (cidrs: readonly [number, number][], ip: number | undefined) =>
  ip !== undefined && cidrs.some(([base, size]) => ip >= base && ip < base + size);

export function decide(e: TelemetryEvent): Decision {
  const v = new Set<string>();
  const appSys = APP_SYSCALLS[e.app];
  if (DANGEROUS.has(e.syscall)) v.add("dangerous syscall");
  if (
    e.kind === "syscall" &&
    !BASE.has(e.syscall) &&
    !appSys?.has(e.syscall) &&
    !DANGEROUS.has(e.syscall)
  ) {
    v.add("syscall not allowlisted");
  }
  if (e.kind === "file") {
    if (SENSITIVE.some((re) => re.test(e.file.path))) v.add("sensitive file access");
    if (e.file.mode !== "r") {
      if (!WRITABLE.some((p) => e.file.path.startsWith(p))) v.add("write outside writable paths");
      if (e.file.path.endsWith(".so")) v.add("executable written");
    }
  }
  if (e.kind === "net") {
    const ip = ip4(e.net.dst_ip);
    if (!inCidrs(EGRESS[e.app] ?? [], ip) && !inCidrs(INTERNAL, ip))
      v.add("egress to unlisted destination");
    if (!PORTS[e.app]?.has(e.net.dst_port)) v.add("port not allowed");
    if (e.net.dst_ip === "169.254.169.254") v.add("cloud metadata access");
    if (e.net.dst_port === 21 || e.net.dst_port === 23 || e.net.dst_port === 80)
      v.add("plaintext protocol");
  }
  if (e.app === "api" && SHELLS.has(e.process.name)) v.add("shell in api container");
  if (e.process.uid === 0 && !e.labels.privileged) v.add("root process");
  if (!appSys) v.add("unknown app");
  const violations = [...v].sort();
  const severity = violations.some((x) => CRITICAL.has(x))
    ? "critical"
    : violations.length > 0
      ? "warning"
      : "none";
  return { allow: violations.length === 0, violations, severity };
}
