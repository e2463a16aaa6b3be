#!/usr/bin/env node
// The agent is TypeScript run through tsx (installed by `npm install` at the
// repository root): register its loader, then start the CLI.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
