import { createApp } from "./app.ts";
import type { Bindings } from "./env.ts";

export { Hub } from "./hub/hub.ts";

const app = createApp();

/** The Worker's entry point (wrangler.toml `main`). */
export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Bindings>;
