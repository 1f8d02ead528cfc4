import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  inUploadQueue, isBeforeSend, isBusy, isCancellable, isClipDeletable, isRetryable, isRevocable, isSendable, shareActions, SHARE_STATUSES, sqlStatusList, statusesWhere,
} from '../../../src/core/share-rules.js';
import { MIGRATIONS } from '../../../src/db/migrations/index.js';

describe('share rules', () => {
  it('cover every status of the database CHECK constraint (the newest migration that defines the shares table)', () => {
    const sql = [...MIGRATIONS].reverse().find((m) => /CREATE TABLE shares/.test(m.sql))?.sql ?? '';
    const table = sql.slice(sql.search(/CREATE TABLE shares/));
    const check = /status\s+TEXT NOT NULL CHECK \(status IN \(([^)]*)\)\)/.exec(table)?.[1] ?? '';
    expect([...SHARE_STATUSES].sort()).toEqual(check.split(',').map((s) => s.trim().replace(/'/g, '')).sort());
    expect(readFileSync('src/db/migrations/002-consent.ts', 'utf8')).toContain("'ready'");
  });

  it('state which statuses allow what', () => {
    expect(statusesWhere(isBusy)).toEqual(['exporting', 'ready', 'queued', 'uploading']);
    expect(statusesWhere(isBeforeSend)).toEqual(['exporting', 'ready']);
    expect(statusesWhere(isSendable)).toEqual(['ready']);
    expect(statusesWhere(isCancellable)).toEqual(['exporting', 'ready', 'queued', 'uploading']);
    expect(statusesWhere(isRevocable)).toEqual(['queued', 'uploading', 'uploaded', 'failed']);
    expect(statusesWhere(isRetryable)).toEqual(['failed']);
    expect(statusesWhere(inUploadQueue)).toEqual(['queued', 'uploading']);
    expect(statusesWhere(isClipDeletable)).toEqual(['uploaded', 'failed', 'revoked', 'cancelled']);
    expect(sqlStatusList(isBusy)).toBe("'exporting', 'ready', 'queued', 'uploading'");
  });

  it('offer one withdraw button (cancel until uploaded, then revoke), send only when ready, delete only while the clip exists', () => {
    expect(shareActions('exporting', true)).toEqual(['cancel']);
    expect(shareActions('ready', true)).toEqual(['send', 'cancel']);
    expect(shareActions('uploading', true)).toEqual(['cancel']);
    expect(shareActions('uploaded', true)).toEqual(['revoke', 'delete']);
    expect(shareActions('failed', true)).toEqual(['retry', 'revoke', 'delete']);
    expect(shareActions('failed', false)).toEqual(['retry', 'revoke']);
    expect(shareActions('cancelled', true)).toEqual(['delete']);
  });

  it('match the actions table of docs/web.md', () => {
    const doc = readFileSync('docs/web.md', 'utf8');
    const table = doc.slice(doc.indexOf('### Share actions'));
    const rows = new Map<string, string[]>();
    for (const m of table.matchAll(/^\| `(\w+)` \| ([^|]*) \|$/gm)) {
      rows.set(m[1] ?? '', (m[2] ?? '').trim() === '—' ? [] : (m[2] ?? '').split(',').map((a) => a.trim().replace(/`/g, '')));
    }
    expect([...rows.keys()].sort()).toEqual([...SHARE_STATUSES].sort());
    for (const status of SHARE_STATUSES) expect(rows.get(status), status).toEqual(shareActions(status, true));
  });
});
