import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type LedgerRow } from '../api.js';
import { short, when } from '../format.js';
import { useLive } from '../live.js';

interface Verify {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
}

/** The tamper-evident share ledger: every approval, upload, revocation, rejection and deletion. */
export function LedgerPage() {
  const [rows, setRows] = useState<LedgerRow[]>([]);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<LedgerRow[]>('GET', '/api/ledger').then((r) => setRows([...r].reverse()), (e: Error) => setError(e.message));
    api<Verify>('GET', '/api/ledger/verify').then(setVerify, (e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);
  useLive((type) => {
    if (type.startsWith('share.') || type === 'clip.deleted' || type === 'clip.updated' || type === 'resync') load();
  }, [load]);
  return (
    <section>
      <div class="toolbar">
        <h1>Ledger</h1>
        {verify && (
          <span class={`verify ${verify.ok ? 'ok' : 'bad'}`} role="status" data-testid="verify-badge">
            {verify.ok ? `✔ Chain intact · ${verify.entries} entries` : `✖ Chain broken at entry ${verify.firstBadSeq ?? '?'}`}
          </span>
        )}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {rows.length === 0 && <p class="empty">No entries yet.</p>}
      <div class="table-wrap">
        <table class="ledger">
          <thead>
            <tr><th>#</th><th>When</th><th>Action</th><th>Clip</th><th>Share</th><th>SHA-256</th><th>Hash</th></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.seq} class={verify && !verify.ok && verify.firstBadSeq === r.seq ? 'bad' : ''}>
                <td>{r.seq}</td><td>{when(r.at)}</td><td>{r.action}</td><td><code>{short(r.clipId)}</code></td>
                <td><code>{short(r.shareId)}</code></td><td><code>{short(r.sha256)}</code></td><td><code>{short(r.hash)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
