import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppendOnlyFile } from '../core/durable.js';
import type { LedgerEntry } from '../core/types.js';
import { entryLine, type Finding } from './chain.js';

/**
 * The ledger's mirror outside the database: `dataDir/ledger.jsonl`, one entry per line (the
 * canonical JSON of chain.ts entryLine, signature included), append-only and fsynced.
 *
 * Lines are appended AFTER the database commit, under the database's write lock (so the daemon
 * and a CLI command never interleave lines). A crash between the commit and the append leaves the
 * mirror a few entries behind, which the next writer (or the next start) appends; lines already
 * written are never rewritten. The settings record MIRROR_SYNCED_KEY holds how far the mirror
 * was durably written, so a mirror that later has FEWER lines (cut or deleted) is told apart
 * from one that a crash left behind, and is reported instead of being rebuilt.
 */
export const MIRROR_FILE = 'ledger.jsonl';
export const MIRROR_SYNCED_KEY = 'ledger.mirror';
/** Longest line the tail reader expects (an entry is a few kB at most: 32 regions and a caption). */
const TAIL_BYTES = 256 * 1024;

export function mirrorPath(dataDir: string): string {
  return path.join(dataDir, MIRROR_FILE);
}

/** The mirror does not agree with the database in a way appending cannot fix. */
export class MirrorDivergedError extends Error {
  constructor(readonly seq: number, message: string) {
    super(message);
    this.name = 'MirrorDivergedError';
  }
}

export function parseSynced(text: string | undefined): number {
  if (text === undefined) return 0;
  try {
    const v = JSON.parse(text) as { seq?: unknown };
    return typeof v.seq === 'number' && Number.isSafeInteger(v.seq) && v.seq >= 0 ? v.seq : 0;
  } catch {
    return 0;
  }
}

function lineSeq(line: string): number | undefined {
  try {
    const v = JSON.parse(line) as { seq?: unknown };
    return typeof v.seq === 'number' && Number.isSafeInteger(v.seq) ? v.seq : undefined;
  } catch {
    return undefined;
  }
}

export interface MirrorSource {
  /** The entry with this seq, if the database has it. */
  get(seq: number): LedgerEntry | undefined;
  /** Entries with seq > after, in order. */
  after(after: number): LedgerEntry[];
  lastSeq(): number;
}

/**
 * Bring the mirror up to the database: append the entries it lacks. Must run while the caller
 * holds the database's write lock and has committed every entry it appended. Returns the seq the
 * mirror now ends at; throws MirrorDivergedError when the mirror and the database disagree.
 */
export function syncMirror(file: AppendOnlyFile, db: MirrorSource, synced: number): number {
  const { text, size } = file.tail(TAIL_BYTES);
  let torn = '';
  let body = text;
  if (text !== '' && !text.endsWith('\n')) {
    const cut = text.lastIndexOf('\n');
    torn = text.slice(cut + 1);
    body = cut < 0 ? '' : text.slice(0, cut + 1);
    if (cut < 0 && size > TAIL_BYTES) throw new MirrorDivergedError(1, `the mirror ends in a line longer than ${TAIL_BYTES} bytes`);
  }
  const lastLine = body.trimEnd().split('\n').at(-1) ?? '';
  const mirrorSeq = lastLine === '' ? 0 : lineSeq(lastLine);
  if (mirrorSeq === undefined) throw new MirrorDivergedError(1, 'the last line of the mirror is not a ledger entry');
  if (mirrorSeq < synced) throw new MirrorDivergedError(mirrorSeq + 1, `the mirror ends at entry ${mirrorSeq} but had entries up to ${synced} (lines removed)`);
  const lastSeq = db.lastSeq();
  if (mirrorSeq > lastSeq) throw new MirrorDivergedError(lastSeq + 1, `the mirror holds entries up to ${mirrorSeq} but the database only up to ${lastSeq} (entries removed from the database)`);
  if (mirrorSeq > 0) {
    const entry = db.get(mirrorSeq);
    if (!entry || entryLine(entry) !== lastLine) throw new MirrorDivergedError(mirrorSeq, `mirror line ${mirrorSeq} differs from the database's entry ${mirrorSeq}`);
  }
  if (torn !== '') {
    // A write torn by a power cut: the fragment must be the start of the line that was being written.
    const next = db.get(mirrorSeq + 1);
    if (!next || !entryLine(next).startsWith(torn)) throw new MirrorDivergedError(mirrorSeq + 1, `the mirror ends in an unfinished line that is not entry ${mirrorSeq + 1}`);
    file.truncateTo(size - Buffer.byteLength(torn));
  }
  if (mirrorSeq === lastSeq) return lastSeq;
  const missing = db.after(mirrorSeq);
  file.append(missing.map((e) => `${entryLine(e)}\n`).join(''));
  return missing.at(-1)?.seq ?? mirrorSeq;
}

export interface MirrorContent {
  exists: boolean;
  lines: string[];
  /** An unfinished last line (a torn write), if any. */
  torn: string;
}

export function readMirror(file: string): MirrorContent {
  if (!existsSync(file)) return { exists: false, lines: [], torn: '' };
  const text = readFileSync(file, 'utf8');
  const parts = text.split('\n');
  const torn = parts.pop() ?? '';
  return { exists: true, lines: parts, torn };
}

/**
 * Compare the mirror with the database entries, line by line and by seq. A mirror behind the
 * database (a crash between commit and append) is not a disagreement as long as it still has
 * every line it once durably wrote (`synced`); it is reported in `behind`.
 */
export function checkMirror(entries: readonly LedgerEntry[], mirror: MirrorContent, synced: number): { finding?: Finding; behind: number } {
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  if (!mirror.exists && (synced > 0 || entries.length > 0)) {
    return synced > 0 ? { finding: { seq: 1, reason: `the mirror ${MIRROR_FILE} is missing (it held ${synced} entries)` }, behind: 0 } : { behind: entries.length };
  }
  for (const [i, line] of mirror.lines.entries()) {
    const seq = i + 1;
    const entry = bySeq.get(seq);
    if (lineSeq(line) !== seq) return { finding: { seq, reason: `mirror line ${seq} is not entry ${seq}` }, behind: 0 };
    if (!entry) return { finding: { seq, reason: `entry ${seq} is in the mirror but not in the database (removed)` }, behind: 0 };
    if (entryLine(entry) !== line) return { finding: { seq, reason: `entry ${seq} differs between the database and the mirror` }, behind: 0 };
  }
  const have = mirror.lines.length;
  if (have < synced) return { finding: { seq: have + 1, reason: `the mirror ends at entry ${have} but had entries up to ${synced} (lines removed)` }, behind: 0 };
  const lastSeq = entries.at(-1)?.seq ?? 0;
  return { behind: Math.max(0, lastSeq - have) };
}
