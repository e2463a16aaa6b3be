export * as tables from "./tables/index.ts";
export * from "./wire/index.ts";
