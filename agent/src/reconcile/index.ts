export * from "./actual.ts";
export * from "./desired.ts";
export * from "./executors.ts";
export * from "./plan.ts";
export * from "./reconcile.ts";
export * from "./teardown.ts";
