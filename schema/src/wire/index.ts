export * from "./envelope.ts";
export * from "./governance.ts";
export * from "./mesh.ts";
export * from "./opa.ts";
export * from "./state.ts";
export * from "./telemetry.ts";
