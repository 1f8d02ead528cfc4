import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inUploadQueue, isBusy, isClipDeletable, isRetryable, isRevocable, shareActions, SHARE_STATUSES, sqlStatusList, statusesWhere } from '../../../src/core/share-rules.js';

describe('share rules', () => {
  it('cover every status of the database CHECK constraint', () => {
    const migration = readFileSync('src/db/migrations/001-initial.ts', 'utf8');
    const check = /status\s+TEXT NOT NULL CHECK \(status IN \(([^)]*)\)\)/.exec(migration.slice(migration.indexOf('CREATE TABLE shares')))?.[1] ?? '';
    expect([...SHARE_STATUSES].sort()).toEqual(check.split(',').map((s) => s.trim().replace(/'/g, '')).sort());
  });

  it('keep the lists the services used before they were one module', () => {
    expect(statusesWhere(isBusy)).toEqual(['exporting', 'queued', 'uploading']);
    expect(statusesWhere(isRevocable)).toEqual(['queued', 'uploading', 'uploaded', 'failed']);
    expect(statusesWhere(isRetryable)).toEqual(['failed']);
    expect(statusesWhere(inUploadQueue)).toEqual(['queued', 'uploading']);
    expect(statusesWhere(isClipDeletable)).toEqual(['uploaded', 'failed', 'revoked']);
    expect(sqlStatusList(isBusy)).toBe("'exporting', 'queued', 'uploading'");
  });

  it('offer delete only while the clip exists', () => {
    expect(shareActions('failed', true)).toEqual(['retry', 'revoke', 'delete']);
    expect(shareActions('failed', false)).toEqual(['retry', 'revoke']);
    expect(shareActions('exporting', true)).toEqual([]);
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
