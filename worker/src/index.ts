import { createApp } from "./app.ts";
import { type Bindings, EnvSchema } from "./env.ts";
import { createDatabase } from "./services/db.ts";
import { pruneEvents } from "./services/retention.ts";

export { Hub } from "./hub/hub.ts";

const app = createApp();

/** The Worker's entry point (wrangler.toml `main`). */
export default {
  fetch: app.fetch,
  /** Cron (wrangler.toml `triggers`): retention jobs, each in bounded chunks. */
  async scheduled(_controller, bindings, ctx) {
    const env = EnvSchema.parse(bindings);
    const { db, close } = createDatabase(env);
    ctx.waitUntil(
      pruneEvents(db, new Date(), env.EVENT_RETENTION_DAYS)
        .then(({ deleted }) =>
          console.log(JSON.stringify({ level: "info", msg: "events pruned", deleted })),
        )
        .finally(() => close()),
    );
  },
} satisfies ExportedHandler<Bindings>;
