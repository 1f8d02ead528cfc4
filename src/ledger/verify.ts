import type { KeyObject } from 'node:crypto';
import type { LedgerAction, LedgerEntry, ShareStatus } from '../core/types.js';
import { checkChain, checkHead, earliest, type Finding } from './chain.js';
import { checkMirror, type MirrorContent } from './mirror.js';

export interface VerifyResult {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
  /** Why the first bad entry is bad. */
  reason?: string;
  /** Not failures: e.g. the mirror is behind after a crash (the next start appends the rest). */
  notes: string[];
}

/** What the shares table says about a share, for the chain-vs-shares check. */
export interface ShareFacts {
  id: string;
  status: ShareStatus;
  sha256: string | null;
  consentSeq: number | null;
  legacyConsent: boolean;
}

export interface LedgerSnapshot {
  entries: LedgerEntry[];
  /** The head record; undefined when absent, `{seq: -1}` when unreadable. */
  head: { seq: number; hash: string } | undefined;
  publicKey: KeyObject | undefined;
  mirror: MirrorContent;
  mirrorSynced: number;
  shares: ShareFacts[];
}

/** The ledger entries a share in each status must have (after the owner's Send). */
function requiredActions(s: ShareFacts): LedgerAction[] {
  switch (s.status) {
    case 'uploaded':
      return ['approved', 'uploaded'];
    case 'revoked':
      return ['approved', 'revoked'];
    case 'queued':
    case 'uploading':
      return ['approved'];
    case 'cancelled':
      return s.consentSeq === null ? [] : ['approved', 'withdrawn'];
    case 'failed':
      return s.consentSeq === null ? [] : ['approved'];
    case 'exporting':
    case 'ready':
      return [];
  }
}

/**
 * Every share the owner sent has the entries that record it: its consent (the `approved` entry
 * at consentSeq, naming its export hash) and what became of it (`uploaded`, `revoked`,
 * `withdrawn`). A ledger wiped or cut while such shares exist is found here even when the mirror
 * went with it.
 */
export function checkShares(entries: readonly LedgerEntry[], shares: readonly ShareFacts[]): Finding | undefined {
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  const byShare = new Map<string, LedgerEntry[]>();
  for (const e of entries) if (e.shareId) byShare.set(e.shareId, [...(byShare.get(e.shareId) ?? []), e]);
  const end = (entries.at(-1)?.seq ?? 0) + 1;
  const findings: Finding[] = [];
  for (const s of shares) {
    if (s.consentSeq !== null) {
      const e = bySeq.get(s.consentSeq);
      if (!e || e.action !== 'approved' || e.shareId !== s.id || e.exportSha256 !== s.sha256) {
        findings.push({ seq: s.consentSeq, reason: `share ${s.id} was sent with consent entry ${s.consentSeq}, which is missing or does not name its export` });
        continue;
      }
    }
    const own = byShare.get(s.id) ?? [];
    for (const action of requiredActions(s)) {
      if (action === 'approved' && s.legacyConsent && own.some((e) => e.action === 'approved')) continue;
      if (!own.some((e) => e.action === action && (action !== 'uploaded' || e.exportSha256 === s.sha256))) {
        findings.push({ seq: action === 'approved' ? (s.consentSeq ?? end) : end, reason: `share ${s.id} is ${s.status} but the ledger has no \`${action}\` entry for it` });
        break;
      }
    }
  }
  return earliest(...findings);
}

/**
 * The whole check behind `clipgate ledger verify` and GET /api/ledger/verify: the hash chain and
 * every signature, the head record, the mirror file, and the shares table. The earliest
 * disagreement any of them finds is reported, with its seq.
 */
export async function verifyLedger(snap: LedgerSnapshot): Promise<VerifyResult> {
  const notes: string[] = [];
  const chain = await checkChain(snap.entries, snap.publicKey);
  const head = checkHead(snap.entries, snap.head);
  const mirror = checkMirror(snap.entries, snap.mirror, snap.mirrorSynced);
  if (mirror.behind > 0) notes.push(`the mirror is ${mirror.behind} entries behind the database (a crash before it was written); the next start appends them`);
  if (snap.mirror.torn !== '') notes.push('the mirror ends in an unfinished line (a torn write); the next start removes it');
  const shares = checkShares(snap.entries, snap.shares);
  const bad = earliest(chain, head, mirror.finding, shares);
  const out: VerifyResult = { ok: bad === undefined, entries: snap.entries.length, notes };
  if (bad) {
    out.firstBadSeq = bad.seq;
    out.reason = bad.reason;
  }
  return out;
}
