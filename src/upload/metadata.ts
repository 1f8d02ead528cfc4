/** What the platform protocol (docs/upload.md) sends with every upload, exactly these keys. */
export interface UploadMetadata {
  filename: string;
  filetype: 'video/mp4';
  sha256: string;
  recordedAt: string;
  durationMs: number;
  /** The ledger's head when the upload was created (seq, hash, its signature) and the device's public key: the platform's witness of the chain. */
  ledgerSeq: number;
  ledgerHash: string;
  ledgerSig: string;
  /** Raw Ed25519 public key, base64. */
  deviceKey: string;
  caption?: string;
  requestId?: string;
}

/** tus `Upload-Metadata`: comma-separated `key base64(value)` pairs; absent optional keys are left out. */
export function encodeMetadata(meta: UploadMetadata): string {
  const pairs: [string, string][] = [
    ['filename', meta.filename],
    ['filetype', meta.filetype],
    ['sha256', meta.sha256],
    ['recordedAt', meta.recordedAt],
    ['durationMs', String(meta.durationMs)],
    ['ledgerSeq', String(meta.ledgerSeq)],
    ['ledgerHash', meta.ledgerHash],
    ['ledgerSig', meta.ledgerSig],
    ['deviceKey', meta.deviceKey],
  ];
  if (meta.caption !== undefined && meta.caption !== '') pairs.push(['caption', meta.caption]);
  if (meta.requestId !== undefined && meta.requestId !== '') pairs.push(['requestId', meta.requestId]);
  return pairs.map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`).join(',');
}

/** Inverse of encodeMetadata, for the dev platform and tests. A key without a value maps to ''. */
export function decodeMetadata(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of header.split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (!key) continue;
    out[key] = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  }
  return out;
}
