import { defineConfig } from "drizzle-kit";

/**
 * `npm run db:generate` writes a new migration under schema/migrations from
 * the tables in schema/src/tables. Migrations are applied from Node by
 * `npm run db:migrate` (dev/migrate.ts), never inside the Worker.
 */
export default defineConfig({
  dialect: "postgresql",
  schema: "./schema/src/tables/index.ts",
  out: "./schema/migrations",
  dbCredentials: {
    url: process.env.DATABASE_URL ?? "postgres://postgres:postgres@127.0.0.1:5432/postgres",
  },
});
