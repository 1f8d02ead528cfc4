import type { ReceivedUpload } from './store.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function row(u: ReceivedUpload): string {
  const state = !u.complete ? `${u.offset} / ${u.size} bytes` : u.verified?.ok ? 'complete, SHA-256 verified' : 'complete, SHA-256 MISMATCH';
  const w = u.witness;
  const witness = w ? `entry ${w.seq} ${w.hash.slice(0, 12)}… key ${w.fingerprint.slice(0, 16)}… ${w.signatureValid ? 'signature valid' : 'SIGNATURE INVALID'}` : 'none';
  const cells = [u.createdAt, u.metadata.filename ?? '', state, u.metadata.recordedAt ?? '', u.metadata.durationMs ?? '',
    u.metadata.caption ?? '', u.metadata.requestId ?? '', (u.metadata.sha256 ?? '').slice(0, 16), String(u.bytesReceived), witness];
  return `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
}

/** The dev platform's one page: what it received, so a demo shows that only approved clips arrive. */
export function receivedPage(uploads: readonly ReceivedUpload[]): string {
  const head = ['created', 'filename', 'state', 'recordedAt', 'durationMs', 'caption', 'requestId', 'sha256', 'bytes received', 'ledger witness'];
  const body = uploads.length === 0 ? `<tr><td colspan="${head.length}">nothing received yet</td></tr>` : uploads.map(row).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>clipgate dev platform</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style>
</head><body>
<h1>clipgate dev platform</h1>
<p>A local stand-in for the community platform. It lists every upload it has received; nothing here leaves this machine.
The ledger witness is the device's ledger head when the upload was created, checked with the device key it carries.</p>
<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}
