/** Synthetic telemetry events: a mix of syscall, file and network events, most benign. */
export interface TelemetryEvent {
  kind: "syscall" | "file" | "net";
  app: string;
  node: string;
  syscall: string;
  process: { name: string; uid: number; pid: number };
  file: { path: string; mode: string };
  net: { dst_ip: string; dst_port: number; proto: string };
  labels: Record<string, boolean | string>;
}

const APPS = ["api", "worker", "batch", "api", "worker", "rogue"];
const SYSCALLS = [
  "read",
  "write",
  "openat",
  "connect",
  "clone",
  "execve",
  "ptrace",
  "mount",
  "accept4",
  "futex",
];
const PATHS = [
  "/tmp/x.log",
  "/etc/shadow",
  "/app/data/db",
  "/root/.bashrc",
  "/usr/lib/evil.so",
  "/home/u/.ssh/id_rsa",
  "/var/tmp/a",
  "/etc/sudoers.d/x",
];
const IPS = [
  "10.20.3.4",
  "203.0.113.9",
  "8.8.8.8",
  "169.254.169.254",
  "10.30.1.1",
  "198.51.100.7",
  "192.168.1.10",
];
const PORTS = [443, 5432, 6379, 80, 22, 23];
const PROCS = ["nginx", "python", "bash", "node", "sh"];

/** Deterministic events so every run measures the same work. */
export function makeEvents(n: number, seed = 1): TelemetryEvent[] {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const kinds = ["syscall", "file", "net"] as const;
  const out: TelemetryEvent[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      kind: pick(kinds),
      app: pick(APPS),
      node: `node-${i % 16}`,
      syscall: pick(SYSCALLS),
      process: { name: pick(PROCS), uid: r() < 0.1 ? 0 : 1000, pid: 1000 + i },
      file: { path: pick(PATHS), mode: r() < 0.5 ? "r" : "w" },
      net: { dst_ip: pick(IPS), dst_port: pick(PORTS), proto: "tcp" },
      labels: r() < 0.05 ? { privileged: true } : { team: "core" },
    });
  }
  return out;
}
