/**
 * Opaque keyset cursors. A page ends at some row; the next page starts
 * strictly after that row's sort key, so rows inserted meanwhile never shift
 * a page and equal timestamps are split by the id tie-breaker.
 */
export interface TimeCursor {
  /** The last row's timestamp, microsecond RFC 3339 text as Postgres wrote it. */
  timestamp: string;
  id: number;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (ch) => ch.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
}

/** `kind` ties a cursor to the listing that made it: a syscall cursor is refused by /files. */
export function encodeCursor(kind: string, key: readonly (string | number)[]): string {
  return toBase64Url(JSON.stringify([kind, ...key]));
}

/** The key a cursor carries, or undefined when it is not one of `kind`'s cursors. */
function decodeKey(kind: string, cursor: string): unknown[] | undefined {
  const text = fromBase64Url(cursor);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed[0] !== kind) return undefined;
  return parsed.slice(1);
}

export function encodeTimeCursor(kind: string, c: TimeCursor): string {
  return encodeCursor(kind, [c.timestamp, c.id]);
}

export function decodeTimeCursor(kind: string, cursor: string): TimeCursor | undefined {
  const key = decodeKey(kind, cursor);
  if (key?.length !== 2) return undefined;
  const [timestamp, id] = key;
  if (typeof timestamp !== "string" || !TIMESTAMP.test(timestamp)) return undefined;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 1) return undefined;
  return { timestamp, id };
}

/** Cursor over a per-org sequence number (the audit log). */
export function encodeSeqCursor(kind: string, seq: number): string {
  return encodeCursor(kind, [seq]);
}

export function decodeSeqCursor(kind: string, cursor: string): number | undefined {
  const key = decodeKey(kind, cursor);
  const seq = key?.length === 1 ? key[0] : undefined;
  return typeof seq === "number" && Number.isSafeInteger(seq) && seq >= 1 ? seq : undefined;
}
