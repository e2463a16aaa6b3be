import { ApiError } from "../../errors.ts";

/**
 * Largest batch after decompression. The compressed body is bounded by
 * `MAX_BODY_BYTES` like every request; this bounds what it may inflate to,
 * so a zip bomb is answered 413 after reading at most this many bytes.
 */
export const MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024;

/**
 * The request body as JSON: plain, or gzip (`Content-Encoding: gzip`)
 * decompressed as a stream and cut off past `maxBytes`. 415 for another
 * encoding, 400 for broken gzip or JSON, 413 past the limit.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip" && encoding !== "x-gzip") {
    throw new ApiError(
      "unsupported_media_type",
      `Content-Encoding "${encoding}" is not supported; send gzip or no encoding`,
    );
  }
  if (!request.body) throw new ApiError("invalid_json", "the request body is empty");
  const stream =
    encoding === "identity"
      ? request.body
      : request.body.pipeThrough(new DecompressionStream("gzip"));
  const text = await readText(stream, maxBytes, encoding !== "identity");
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "the request body is not valid JSON");
  }
}

async function readText(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  compressed: boolean,
): Promise<string> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        throw new ApiError(
          "payload_too_large",
          compressed
            ? `the batch decompresses to more than ${maxBytes} bytes`
            : `the request body is larger than ${maxBytes} bytes`,
          { max_bytes: maxBytes },
        );
      }
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    if (err instanceof ApiError) throw err;
    if (compressed) throw new ApiError("bad_request", "the request body is not valid gzip");
    throw err;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
