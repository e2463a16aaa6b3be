import { readSpoolStatuses, type SpoolStatus } from "../spool/status.ts";
import { readStatus } from "../state/status-file.ts";

/** `tether-agent status`: what the daemon last wrote, as text or JSON. */
export function statusText(
  dataDir: string,
  json: boolean,
  now = new Date(),
): { text: string; code: number } {
  const s = readStatus(dataDir);
  if (!s) {
    return {
      text: `no status in ${dataDir} (is \`tether-agent run\` running with this data dir?)`,
      code: 1,
    };
  }
  const spools = readSpoolStatuses(dataDir);
  if (json) {
    const out = spools.length > 0 ? { ...s, spools } : s;
    return { text: JSON.stringify(out, null, 2), code: s.errors.length > 0 ? 2 : 0 };
  }
  const ago = (iso: string | null) =>
    iso ? `${iso} (${Math.round((now.getTime() - Date.parse(iso)) / 1000)} s ago)` : "never";
  const lines = [
    `node:           ${s.node_id}`,
    `revision:       ${s.revision} (seq ${s.seq})`,
    `mode:           ${s.mode}`,
    `state from:     ${s.source}${s.connected ? `, event stream connected${s.transport ? ` (${s.transport})` : ""}` : ", event stream not connected"}`,
    `last sync:      ${ago(s.last_sync)}`,
    `last reconcile: ${ago(s.last_reconcile)}`,
    `ruleset hash:   ${s.ruleset_hash ?? "-"}`,
    `peers (${s.peers.length}):`,
    ...s.peers.map((p) => `  ${p.mesh_ip.padEnd(15)} ${p.name} (${p.id})`),
    `errors (${s.errors.length}):`,
    ...s.errors.map((e) => `  ${e}`),
    ...spools.flatMap(spoolLines),
  ];
  return { text: lines.join("\n"), code: s.errors.length > 0 ? 2 : 0 };
}

/** A shipper's counters (`spool-status/<name>.json`) as a few lines. */
export function spoolLines(p: SpoolStatus): string[] {
  const lines = [
    `${p.name}: ${p.pending} batches pending (${p.pending_bytes} bytes), ${p.sent} sent (${p.duplicates} duplicates), ${p.retried} retried, ${p.rejected} rejected (${p.rejected_on_disk} kept), ${p.refused} refused (spool full)`,
    `  last sent: ${p.last_sent_at ?? "never"}${p.next_attempt_at ? `, next attempt ${p.next_attempt_at}` : ""}`,
  ];
  if (p.last_error) lines.push(`  last error: ${p.last_error.slice(0, 300)}`);
  const sources = (p.extra?.sources ?? []) as { path: string; lines: number; malformed: number }[];
  for (const src of sources)
    lines.push(`  source ${src.path}: ${src.lines} lines read, ${src.malformed} malformed`);
  return lines;
}
