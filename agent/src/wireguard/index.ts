export * from "./commands.ts";
export * from "./dump.ts";
export * from "./link.ts";
export * from "./peers.ts";
