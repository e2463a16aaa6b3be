import type { PolicyLogger } from "./engine.ts";

/** A logger that keeps what it was told (tests). */
export function recordingLogger(): PolicyLogger & {
  lines: ({ level: string; msg: string } & Record<string, unknown>)[];
} {
  const lines: ({ level: string; msg: string } & Record<string, unknown>)[] = [];
  return { lines, warn: (msg, fields) => lines.push({ level: "warn", msg, ...fields }) };
}
