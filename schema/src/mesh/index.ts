export * from "./selectors.ts";
export * from "./visibility.ts";
