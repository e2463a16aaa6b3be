import { defineConfig } from "vitest/config";

/**
 * Test tiers, by file suffix (see README "Tests"):
 * - `*.test.ts`               unit, Node, fast, no services
 * - `*.integration.test.ts`   real Postgres (PGlite, or DATABASE_URL) and, under worker/, real workerd
 * - `*.netns.test.ts`         root only: real nft/wg/ip in network namespaces
 */
const ignored = ["**/node_modules/**", "**/dist/**", "**/.wrangler/**"];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["{schema,rego,agent,dev,bench}/**/*.test.ts", "worker/src/**/*.test.ts"],
          exclude: [...ignored, "**/*.integration.test.ts", "**/*.netns.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          environment: "node",
          include: ["{schema,rego,agent,dev,bench}/**/*.integration.test.ts"],
          exclude: ignored,
          globalSetup: ["dev/test-database.global.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      "worker/vitest.config.ts",
      {
        test: {
          name: "netns",
          environment: "node",
          include: ["**/*.netns.test.ts"],
          exclude: ignored,
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
