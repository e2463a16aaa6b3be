import { createApp } from "./app.ts";
import { type Bindings, EnvSchema } from "./env.ts";
import { createDatabase } from "./services/db.ts";
import { pruneEvents, pruneTelemetry } from "./services/retention.ts";

export { Hub } from "./hub/hub.ts";
export { RateLimiter } from "./services/ingest/rate-limiter.ts";

const app = createApp();

/** The Worker's entry point (wrangler.toml `main`). */
export default {
  fetch: app.fetch,
  /** Cron (wrangler.toml `triggers`): retention jobs, each in bounded chunks. */
  async scheduled(_controller, bindings, ctx) {
    const env = EnvSchema.parse(bindings);
    const { db, close } = createDatabase(env);
    const at = new Date();
    ctx.waitUntil(
      Promise.allSettled([
        pruneEvents(db, at, env.EVENT_RETENTION_DAYS).then(({ deleted }) =>
          console.log(JSON.stringify({ level: "info", msg: "events pruned", deleted })),
        ),
        pruneTelemetry(db, at).then((deleted) =>
          console.log(JSON.stringify({ level: "info", msg: "telemetry pruned", deleted })),
        ),
      ])
        .then((results) => {
          for (const r of results) {
            if (r.status === "rejected") {
              console.error(
                JSON.stringify({
                  level: "error",
                  msg: "retention job failed",
                  error: String(r.reason),
                }),
              );
            }
          }
        })
        .finally(() => close()),
    );
  },
} satisfies ExportedHandler<Bindings>;
