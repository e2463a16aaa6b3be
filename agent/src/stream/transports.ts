/** `auto`: the WebSocket transport, or SSE when the server (or a proxy) does not upgrade. */
export const TRANSPORTS = ["auto", "websocket", "sse"] as const;
export type Transport = (typeof TRANSPORTS)[number];
