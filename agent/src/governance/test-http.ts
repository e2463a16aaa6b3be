import { request } from "node:http";

export interface LocalResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read bodies of several shapes
  body: any;
}

/**
 * One HTTP request to the local endpoint, over its unix socket or TCP port,
 * as an enforcer would send it (tests).
 */
export function localRequest(
  at: { socket: string } | { port: number },
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<LocalResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...("socket" in at ? { socketPath: at.socket } : { host: "127.0.0.1", port: at.port }),
        method,
        path,
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // The test sees the text.
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
