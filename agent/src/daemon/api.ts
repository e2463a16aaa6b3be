import type { NodeState, RegisterRequest, RegisterResponse } from "@tether/schema/wire";
import { NodeStateSchema } from "../state/schema.ts";
import { type ControlPlaneApi, ControlPlaneError, CredentialRefused } from "./ports.ts";

const TIMEOUT_MS = 15_000;

/**
 * The agent protocol over HTTP (DESIGN.md §6). Every answer is checked before use.
 *
 * @example
 * const api = httpControlPlane({ server, nodeId, credential });
 * const state = await api.fetchState();
 */
export function httpControlPlane(opts: {
  server: string;
  nodeId: string;
  credential: string;
  fetch?: typeof fetch;
}): ControlPlaneApi {
  const base = `${opts.server.replace(/\/+$/, "")}/v1/nodes/${encodeURIComponent(opts.nodeId)}`;
  const auth = () => ({ authorization: `Bearer ${opts.credential}` });
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const init: RequestInit = {
      method,
      headers: { ...auth(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    return request(opts.fetch ?? fetch, `${base}${path}`, init);
  };
  return {
    async fetchState() {
      const raw = await call("GET", "/state");
      const parsed = NodeStateSchema.safeParse(raw);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new ControlPlaneError(
          `state: unexpected answer at ${i?.path.join(".")}: ${i?.message}`,
        );
      }
      return parsed.data as NodeState;
    },
    async postStatus(report) {
      await call("POST", "/status", report);
    },
    async heartbeat() {
      await call("POST", "/heartbeat", {});
    },
    async pong(pingId) {
      await call("POST", "/pong", { ping_id: pingId });
    },
    async deregister() {
      await call("POST", "/deregister", {});
    },
    eventsUrl: () => `${base}/events`,
    authHeaders: auth,
  };
}

/** `POST /v1/register` with an enrollment token (sent as the bearer, never logged). */
export async function register(
  server: string,
  token: string,
  body: RegisterRequest,
  fetchFn: typeof fetch = fetch,
): Promise<RegisterResponse> {
  const raw = await request(fetchFn, `${server.replace(/\/+$/, "")}/v1/register`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const r = raw as Partial<RegisterResponse>;
  if (typeof r.node_id !== "string" || typeof r.credential !== "string" || !r.state) {
    throw new ControlPlaneError("register: unexpected answer (no node_id/credential/state)");
  }
  const state = NodeStateSchema.safeParse(r.state);
  if (!state.success) throw new ControlPlaneError("register: the returned state is malformed");
  return r as RegisterResponse;
}

async function request(fetchFn: typeof fetch, url: string, init: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchFn(url, init);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new ControlPlaneError(
      `${init.method} ${new URL(url).pathname}: ${cause ?? (err as Error).message}`,
    );
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403)
    throw new CredentialRefused(res.status, errorText(text));
  if (res.status < 200 || res.status > 299) {
    throw new ControlPlaneError(
      `${init.method} ${new URL(url).pathname}: HTTP ${res.status}: ${errorText(text)}`,
      res.status,
    );
  }
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ControlPlaneError(`${init.method} ${new URL(url).pathname}: the answer is not JSON`);
  }
}

/** The API's `{error: {code, message}}` as one line. */
function errorText(text: string): string {
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    if (e) return `${e.code ?? "error"}: ${e.message ?? ""}`;
  } catch {
    // Not JSON: show the start of it.
  }
  return text.slice(0, 200);
}
