import { chmodSync, existsSync, lstatSync, mkdirSync, unlinkSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect } from "node:net";
import { dirname } from "node:path";
import { RegoError } from "@tether/rego";
import { type OpaError, opaCodeFor, parseOpaInput } from "@tether/schema/wire";
import type { Logger } from "../log.ts";
import type { LocalDecision } from "./decide.ts";
import { WasmPolicyError } from "./wasm-policy.ts";

/** Largest request body the local endpoint reads. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** Longest data path accepted (what the decision log can store). */
export const MAX_PATH_CHARS = 1000;

/** What the endpoint needs from the agent: a decision, or why none can be made yet. */
export interface LocalDecider {
  /** False until a policy set (from the control plane or the cache) has been loaded. */
  ready(): boolean;
  /** Decides and logs; throws RegoError / WasmPolicyError (nothing logged). */
  decide(rawPath: string, input: unknown): LocalDecision;
}

/**
 * The body of a `/v1/data` answer: OPA's `{result, decision_id}` (`result`
 * absent when undefined) plus `mode`, the mode of the policy owning the path.
 * `mode: "audit"` tells the enforcer to log the decision but not act on it;
 * absent when no policy owns the path.
 */
export interface LocalDataResult {
  result?: unknown;
  decision_id: string;
  mode?: "audit" | "enforce";
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An OPA-compatible HTTP endpoint for sandbox enforcers on this machine:
 * `POST /v1/data/{path}` (`{"input": …}`), `GET /v1/data/{path}?input=…`
 * and `GET /health`. Errors leave as OPA's `{code, message}`.
 *
 * @example
 * const server = new OpaServer(decider, log);
 * await server.listen({ socket: "/run/tether/opa.sock", port: 8181 });
 * // curl --unix-socket /run/tether/opa.sock -d '{"input":{…}}' http://opa/v1/data/tether/sandbox/allow
 */
export class OpaServer {
  readonly #servers: { server: Server; socket?: string }[] = [];

  constructor(
    private readonly decider: LocalDecider,
    private readonly log: Logger,
  ) {}

  /** Where it listens: socket paths and `127.0.0.1:port`s. */
  get addresses(): string[] {
    return this.#servers.map(({ server, socket }) => {
      if (socket) return socket;
      const a = server.address();
      return typeof a === "object" && a ? `${a.address}:${a.port}` : String(a);
    });
  }

  /** The bound TCP port (after `listen({ port: 0 })`), if any. */
  get port(): number | undefined {
    for (const { server, socket } of this.#servers) {
      const a = server.address();
      if (!socket && typeof a === "object" && a) return a.port;
    }
    return undefined;
  }

  /**
   * Listens on a unix socket (mode 0660, its directory created 0750) and/or
   * on 127.0.0.1. A stale socket file left by a crash is replaced; one that
   * answers (another agent) is an error.
   */
  async listen(opts: { socket?: string | undefined; port?: number | undefined }): Promise<void> {
    if (opts.socket !== undefined) {
      const path = opts.socket;
      const dir = dirname(path);
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true, mode: 0o750 });
        chmodSync(dir, 0o750); // mkdir's mode passes through the umask (0077 under systemd)
      }
      await removeStaleSocket(path);
      const server = this.#server();
      await listenOn(server, { path });
      chmodSync(path, 0o660);
      this.#servers.push({ server, socket: path });
    }
    if (opts.port !== undefined) {
      const server = this.#server();
      await listenOn(server, { port: opts.port, host: "127.0.0.1" });
      this.#servers.push({ server });
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#servers.splice(0).map(async ({ server, socket }) => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (socket) {
          try {
            unlinkSync(socket);
          } catch {
            // Gone already.
          }
        }
      }),
    );
  }

  #server(): Server {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        this.log.error("local OPA endpoint: unexpected error", { error: err as Error });
        if (!res.headersSent) send(res, 500, opaError(500, "internal error"));
        else res.destroy();
      });
    });
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    return server;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://local");
    const route = url.pathname;
    if (route === "/health") {
      if (req.method !== "GET") return send(res, 405, opaError(405, "method not allowed"));
      if (!this.decider.ready()) {
        return send(res, 500, opaError(500, "no policies loaded yet (no state and no cache)"));
      }
      return send(res, 200, {});
    }
    if (route !== "/v1/data" && !route.startsWith("/v1/data/")) {
      return send(res, 404, opaError(404, `no such endpoint: ${route}`));
    }
    if (req.method !== "GET" && req.method !== "POST") {
      res.setHeader("allow", "GET, POST");
      return send(res, 405, opaError(405, `method ${req.method} not allowed on /v1/data`));
    }
    try {
      const path = dataPath(route);
      const input =
        req.method === "POST" ? inputOfBody(await readBody(req)) : inputOfQuery(url.searchParams);
      if (!this.decider.ready()) {
        throw new HttpError(500, "no policies loaded yet (no state and no cache)");
      }
      const d = this.decider.decide(path, input);
      const body: LocalDataResult = {
        ...(d.defined ? { result: d.value } : {}),
        decision_id: d.decisionId,
        ...(d.mode ? { mode: d.mode } : {}),
      };
      return send(res, 200, body);
    } catch (err) {
      if (err instanceof HttpError) return send(res, err.status, opaError(err.status, err.message));
      if (err instanceof RegoError) {
        return send(res, 500, opaError(500, `${err.code}: ${err.message}`));
      }
      if (err instanceof WasmPolicyError) {
        return send(res, 500, opaError(500, `wasm_eval_error: ${err.message}`));
      }
      throw err;
    }
  }
}

/** `/v1/data/tether/sandbox/allow` → `tether/sandbox/allow` (each segment URL-decoded). */
function dataPath(route: string): string {
  let path: string;
  try {
    path = route
      .slice("/v1/data".length)
      .split("/")
      .map((s) => decodeURIComponent(s))
      .join("/");
  } catch {
    throw new HttpError(400, "invalid path: malformed percent-encoding");
  }
  if (path.length > MAX_PATH_CHARS) {
    throw new HttpError(400, `invalid path: longer than ${MAX_PATH_CHARS} characters`);
  }
  return path;
}

function inputOfBody(text: string): unknown {
  const parsed = parseOpaInput(text);
  if (!parsed.ok) throw new HttpError(400, parsed.message);
  return parsed.input;
}

/** GET: `?input=<JSON>`, as OPA takes it; absent means no input. */
function inputOfQuery(params: URLSearchParams): unknown {
  const raw = params.get("input");
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new HttpError(400, `malformed input document: ${(e as Error).message}`);
  }
}

/** The body as text; past {@link MAX_REQUEST_BYTES} a 413 (the rest is read and discarded). */
function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = () => new HttpError(413, `request body larger than ${MAX_REQUEST_BYTES} bytes`);
  if (Number(req.headers["content-length"] ?? "0") > MAX_REQUEST_BYTES) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_REQUEST_BYTES) {
        req.off("data", onData);
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
  });
}

const opaError = (status: number, message: string): OpaError => ({
  code: opaCodeFor(status),
  message,
});

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function listenOn(server: Server, at: { path: string } | { port: number; host: string }) {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(at, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Removes a socket file nobody answers on; throws when something does (or it is no socket). */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // Nothing there.
  }
  if (!isSocket) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  const answered = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (answered) throw new Error(`${path} is in use (another agent is serving it)`);
  unlinkSync(path);
}
