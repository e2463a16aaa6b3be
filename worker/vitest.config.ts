import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineProject } from "vitest/config";

/**
 * Worker and Durable Object tests, run inside workerd against a real
 * Postgres (dev/test-database.global.ts) through the same WebSocket driver
 * the Worker uses in production.
 */
export default defineProject({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "../wrangler.toml" },
      miniflare: {
        bindings: {
          DATABASE_URL: inject("databaseUrl"),
          DB_WS_PROXY: inject("dbWsProxy"),
          SIGNING_KEY_SECRET: "test-signing-key-secret-0123456789abcdef",
          BOOTSTRAP_TOKEN: "test-bootstrap-token-0123456789",
        },
      },
    })),
  ],
  test: {
    name: "workers",
    include: ["src/**/*.integration.test.ts", "test/**/*.integration.test.ts"],
    // The OPA Wasm ABI fixture is assembled (and its reference answers taken) in Node.
    globalSetup: ["../dev/test-database.global.ts", "../dev/fixtures/opa-abi/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
