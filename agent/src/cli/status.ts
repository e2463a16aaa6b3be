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
  if (json) return { text: JSON.stringify(s, null, 2), code: s.errors.length > 0 ? 2 : 0 };
  const ago = (iso: string | null) =>
    iso ? `${iso} (${Math.round((now.getTime() - Date.parse(iso)) / 1000)} s ago)` : "never";
  const lines = [
    `node:           ${s.node_id}`,
    `revision:       ${s.revision} (seq ${s.seq})`,
    `mode:           ${s.mode}`,
    `state from:     ${s.source}${s.connected ? ", event stream connected" : ", event stream not connected"}`,
    `last sync:      ${ago(s.last_sync)}`,
    `last reconcile: ${ago(s.last_reconcile)}`,
    `ruleset hash:   ${s.ruleset_hash ?? "-"}`,
    `peers (${s.peers.length}):`,
    ...s.peers.map((p) => `  ${p.mesh_ip.padEnd(15)} ${p.name} (${p.id})`),
    `errors (${s.errors.length}):`,
    ...s.errors.map((e) => `  ${e}`),
  ];
  return { text: lines.join("\n"), code: s.errors.length > 0 ? 2 : 0 };
}
