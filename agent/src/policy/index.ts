export * from "./config.ts";
export * from "./enforcer.ts";
export * from "./engine.ts";
export * from "./firewall-rule.ts";
