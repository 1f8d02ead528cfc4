import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRegion, parseTrim } from '../../../src/cli/clips.js';
import { runCli } from '../../../src/cli/index.js';
import type { Io } from '../../../src/cli/context.js';
import { makeEnv, type ReviewEnv } from './env.js';

let env: ReviewEnv;
afterEach(() => env?.cleanup());

function io(cwd: string): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), stdin: Readable.from(['']), env: {}, cwd, stdout, stderr };
}

function setup(): { config: string } {
  env = makeEnv();
  const config = path.join(env.dir, 'clipgate.yml');
  writeFileSync(config, `dataDir: ${env.dataDir}\ncameras:\n  - id: front\n    rtsp: { main: "rtsp://127.0.0.1:1/main" }\n    privacyMasks: [{ x: 0.9, y: 0.9, width: 0.1, height: 0.1 }]\n`);
  return { config };
}

describe('clipgate clips', () => {
  it('approve records the approval with every option; the share waits in exporting for the daemon', async () => {
    const { config } = setup();
    const clip = env.insertClip();
    const x = io(env.dir);
    const code = await runCli(['clips', 'approve', clip.id, '--config', config, '--keep-audio', '--trim', '1.5:4', '--blur', '0.1,0.2,0.3,0.25', '--blur', '0.5,0.5,0.1,0.1', '--caption', 'red car'], x);
    expect(x.stderr).toEqual([]);
    expect(code).toBe(0);
    const share = env.repos.shares.getByClip(clip.id)!;
    expect(share.status).toBe('exporting');
    expect(env.review.options(share)).toEqual({
      stripAudio: false, trim: { startMs: 1500, endMs: 4000 }, caption: 'red car',
      blur: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.25 }, { x: 0.5, y: 0.5, width: 0.1, height: 0.1 }, { x: 0.9, y: 0.9, width: 0.1, height: 0.1 }],
    });
    expect(x.stdout.join('\n')).toContain(share.id);
    const again = io(env.dir);
    expect(await runCli(['clips', 'approve', clip.id, '--config', config], again)).toBe(1);
    expect(again.stderr.join('\n')).toMatch(/NOT_APPROVABLE/);
  });

  it('send records consent for a ready share; cancel before Send records nothing, after Send records `withdrawn`', async () => {
    const { config } = setup();
    const a = env.insertClip();
    expect(await runCli(['clips', 'approve', a.id, '--config', config], io(env.dir))).toBe(0);
    const early = io(env.dir);
    expect(await runCli(['clips', 'send', a.id, '--config', config], early)).toBe(1);
    expect(early.stderr.join('\n')).toMatch(/NOT_SENDABLE/);
    const shareA = env.exportDone(env.repos.shares.getByClip(a.id)!.id);
    const sent = io(env.dir);
    expect(await runCli(['clips', 'send', a.id, '--config', config], sent)).toBe(0);
    expect(sent.stdout.join('\n')).toContain(shareA.sha256!);
    expect(env.ledger.list().map((e) => [e.action, e.exportSha256])).toEqual([['approved', shareA.sha256]]);
    // No platform configured and no upload begun: the withdrawal costs nothing and is recorded.
    const withdrawn = io(env.dir);
    expect(await runCli(['clips', 'cancel', a.id, '--config', config], withdrawn)).toBe(0);
    expect(withdrawn.stdout.join('\n')).toMatch(/withdrawn before the platform received a byte/);
    expect(env.ledger.list().map((e) => e.action)).toEqual(['approved', 'withdrawn']);
    expect(env.repos.clips.get(a.id)?.status).toBe('pending');

    const b = env.insertClip();
    expect(await runCli(['clips', 'approve', b.id, '--config', config], io(env.dir))).toBe(0);
    env.exportDone(env.repos.shares.getByClip(b.id)!.id);
    const cancelled = io(env.dir);
    expect(await runCli(['clips', 'cancel', b.id, '--config', config], cancelled)).toBe(0);
    expect(cancelled.stdout.join('\n')).toMatch(/cancelled before it was sent; nothing was recorded or sent/);
    expect(env.ledger.list()).toHaveLength(2);
    expect(env.repos.clips.get(b.id)?.status).toBe('pending');
  });

  it('approve --send is one step: the share is sent as soon as its export is done', async () => {
    const { config } = setup();
    const clip = env.insertClip();
    const out = io(env.dir);
    expect(await runCli(['clips', 'approve', clip.id, '--send', '--config', config], out)).toBe(0);
    expect(out.stdout.join('\n')).toMatch(/sends it as soon as the export is done/);
    expect(env.repos.shares.getByClip(clip.id)?.sendOnExport).toBe(true);
    expect(await runCli(['clips', 'reject', clip.id, '--send', '--config', config], io(env.dir))).toBe(2);
  });

  it('reject, list --status, and errors with their codes', async () => {
    const { config } = setup();
    const a = env.insertClip();
    const b = env.insertClip();
    const x = io(env.dir);
    expect(await runCli(['clips', 'reject', a.id, '--config', config], x)).toBe(0);
    const list = io(env.dir);
    expect(await runCli(['clips', 'list', '--status', 'pending', '--config', config], list)).toBe(0);
    expect(list.stdout.join('\n')).toContain(b.id);
    expect(list.stdout.join('\n')).not.toContain(a.id);
    const missing = io(env.dir);
    expect(await runCli(['clips', 'reject', 'nope', '--config', config], missing)).toBe(1);
    expect(missing.stderr.join('\n')).toMatch(/CLIP_NOT_FOUND/);
    const bad = io(env.dir);
    expect(await runCli(['clips', 'approve', b.id, '--config', config, '--trim', '5:9'], bad)).toBe(1);
    expect(bad.stderr.join('\n')).toMatch(/INVALID_OPTIONS/);
    expect(await runCli(['clips', 'list', '--status', 'weird', '--config', config], io(env.dir))).toBe(2);
  });

  it.each([['2:9.5', { startMs: 2000, endMs: 9500 }], ['0.25:1', { startMs: 250, endMs: 1000 }]])('--trim %s', (text, want) => {
    expect(parseTrim(text)).toEqual(want);
  });

  it.each(['2', '2:', ':3', 'a:b', '1:2:3', '-1:2'])('--trim %s is a usage error', (text) => {
    expect(() => parseTrim(text)).toThrow(/START:END/);
  });

  it('--blur takes four numbers', () => {
    expect(parseRegion('0.1, 0.2,0.3,.4')).toEqual({ x: 0.1, y: 0.2, width: 0.3, height: 0.4 });
    expect(() => parseRegion('0.1,0.2,0.3')).toThrow(/x,y,w,h/);
  });
});

describe('clipgate ledger verify', () => {
  it('exits 0 on an intact chain and 1 naming the first bad entry after tampering', async () => {
    const { config } = setup();
    for (let i = 0; i < 3; i++) env.review.reject(env.insertClip().id);
    const ok = io(env.dir);
    expect(await runCli(['ledger', 'verify', '--config', config], ok)).toBe(0);
    expect(ok.stdout.join('\n')).toMatch(/intact: 3 entries/);
    const raw = new Database(env.dbFile);
    raw.exec("UPDATE ledger SET action = 'approved' WHERE seq = 2");
    raw.close();
    const broken = io(env.dir);
    expect(await runCli(['ledger', 'verify', '--config', config], broken)).toBe(1);
    expect(broken.stdout.join('\n')).toMatch(/BROKEN at entry 2/);
  });
});
