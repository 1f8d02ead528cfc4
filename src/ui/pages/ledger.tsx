import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type LedgerKeyView, type LedgerRow } from '../api.js';
import { short, when } from '../format.js';
import { useLive, useNewest, useThrottled } from '../live.js';

interface Verify {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
  reason?: string;
}

/** `ab12 cd34 …`, as `clipgate ledger key` prints it. */
function grouped(hex: string): string {
  return hex.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * The signed share ledger: every consent, upload, withdrawal, revocation, rejection and
 * deletion, with the device key that signs it. Rows about a shared file show that file's
 * SHA-256 (the redacted export, what the platform received), not the original clip's.
 */
export function LedgerPage() {
  const [rows, setRows] = useState<LedgerRow[]>([]);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [key, setKey] = useState<LedgerKeyView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const newestRows = useNewest();
  const newestVerify = useNewest();
  const load = useCallback(() => {
    newestRows(api<LedgerRow[]>('GET', '/api/ledger')).then((r) => setRows([...r].reverse()), (e: Error) => setError(e.message));
    newestVerify(api<Verify>('GET', '/api/ledger/verify')).then(setVerify, (e: Error) => setError(e.message));
  }, [newestRows, newestVerify]);
  useEffect(load, [load]);
  useEffect(() => {
    api<LedgerKeyView>('GET', '/api/ledger/key').then(setKey, (e: Error) => setError(e.message));
  }, []);
  // Throttled: a backlog of clips being analysed sends a clip.updated per clip.
  const reload = useThrottled(load, 2_000);
  useLive((type) => {
    if (type.startsWith('share.') || type === 'clip.deleted' || type === 'clip.updated' || type === 'resync') reload();
  }, [reload]);
  return (
    <section>
      <div class="toolbar">
        <h1>Ledger</h1>
        {verify && (
          <span class={`verify ${verify.ok ? 'ok' : 'bad'}`} role="status" data-testid="verify-badge" title={verify.reason ?? ''}>
            {verify.ok ? `✔ Chain intact · ${verify.entries} entries` : `✖ Chain broken at entry ${verify.firstBadSeq ?? '?'}`}
          </span>
        )}
      </div>
      {key && (
        <p class="muted small" data-testid="device-key">
          Signed by this device's {key.algorithm} key, fingerprint <code>{grouped(key.fingerprint)}</code>. The platform receives the public key
          with every upload; compare the fingerprint with what it shows.
        </p>
      )}
      {verify && !verify.ok && verify.reason && <p class="error">{verify.reason}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {rows.length === 0 && (
        <p class="empty">
          No entries yet. Every Send, upload, withdrawal, revocation, rejection and deletion is recorded here, signed by this device;
          <code> clipgate ledger verify</code> checks the chain from a terminal.
        </p>
      )}
      <div class="table-wrap">
        <table class="ledger">
          <thead>
            <tr><th>#</th><th>When</th><th>Action</th><th>Clip</th><th>Share</th><th>SHA-256</th><th>Hash</th><th>Signature</th></tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              // The shared file's hash where the entry is about it; the original clip's otherwise (rejected, deleted before sharing).
              const shared = r.exportSha256 !== undefined;
              return (
                <tr key={r.seq} data-seq={r.seq} class={verify && !verify.ok && verify.firstBadSeq === r.seq ? 'bad' : ''}>
                  <td>{r.seq}</td><td>{when(r.at)}</td><td>{r.action}</td><td><code>{short(r.clipId)}</code></td>
                  <td><code>{short(r.shareId)}</code></td>
                  <td data-testid="row-sha256" data-full={shared ? r.exportSha256 : r.sha256 ?? ''} title={shared ? 'SHA-256 of the shared (redacted) file' : 'SHA-256 of the original clip'}>
                    <code>{short(shared ? r.exportSha256 ?? null : r.sha256)}</code>{shared ? ' shared file' : ''}
                  </td>
                  <td><code>{short(r.hash)}</code></td><td><code>{short(r.signature)}</code></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
