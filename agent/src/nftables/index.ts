export * from "./nft.ts";
export * from "./parse.ts";
export * from "./render.ts";
export * from "./shape.ts";
