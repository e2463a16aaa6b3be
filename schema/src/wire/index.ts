export * from "./envelope.ts";
export * from "./mesh.ts";
export * from "./state.ts";
export * from "./telemetry.ts";
