import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("committed migrations", () => {
  it("match the drizzle tables (run `npm run db:generate` after changing a table)", () => {
    const out = mkdtempSync(join(tmpdir(), "tether-migrations-"));
    try {
      cpSync(join(ROOT, "schema/migrations"), out, { recursive: true });
      const before = readdirSync(out).sort();
      const run = spawnSync(
        process.execPath,
        [
          join(ROOT, "node_modules/drizzle-kit/bin.cjs"),
          "generate",
          "--dialect=postgresql",
          "--schema=schema/src/tables/index.ts",
          `--out=${relative(ROOT, out)}`,
        ],
        { cwd: ROOT, encoding: "utf8" },
      );
      const log = `${run.stdout}${run.stderr}`;
      expect(run.status, log).toBe(0);
      expect(readdirSync(out).sort(), log).toEqual(before);
      expect(log).toContain("No schema changes");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
