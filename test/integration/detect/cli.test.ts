// `clipgate clips analyse ID` with the real models (its own worker; no daemon running), then
// `clips approve ID --tracks …` naming the printed track ids.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/context.js';
import { runCli } from '../../../src/cli/index.js';
import { parseStoredOptions } from '../../../src/review/options.js';
import { buildPanClip, samplePhoto } from '../../support/faces.js';
import { makeCore, type TestCore } from '../../support/core.js';

let core: TestCore;
let config: string;

function io(cwd: string): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), stdin: Readable.from(['']), env: {}, cwd, stdout, stderr };
}

beforeAll(() => {
  core = makeCore({ config: { cameras: [{ id: 'door', inbox: '/nonexistent/inbox' }] } });
  const dir = path.join(core.paths.clips, 'door');
  mkdirSync(dir, { recursive: true });
  buildPanClip(samplePhoto(1), path.join(dir, 'c1.mp4'), { scale: 1.25, durationSec: 4, panPx: 320, faceSpan: [0.3, 0.55] });
  const at = new Date().toISOString();
  core.repos.clips.insert({
    id: 'c1', cameraId: 'door', status: 'pending', trigger: 'inbox', startedAt: at, endedAt: at, durationMs: 4000, sizeBytes: 1, width: 1920, height: 1080,
    hasAudio: false, sha256: 'b'.repeat(64), filePath: 'clips/door/c1.mp4', thumbPath: null, createdAt: at, reviewedAt: null, fileDeletedAt: null,
  });
  config = path.join(core.dir, 'clipgate.yml');
  writeFileSync(config, `dataDir: ${core.paths.dataDir}\ncacheDir: ${path.join(core.dir, 'cache')}\ndetect: { enabled: true }\ncameras:\n  - id: door\n    inbox: /nonexistent/inbox\n`);
}, 120_000);

afterAll(() => core?.cleanup());

describe('clipgate clips analyse', () => {
  it('prints labels and face tracks, stores them; approve --tracks takes those ids and refuses others', async () => {
    const x = io(core.dir);
    expect(await runCli(['clips', 'analyse', 'c1', '--config', config], x)).toBe(0);
    console.log(x.stdout.join('\n'));
    expect(x.stdout[0]).toMatch(/^clip c1 analysed: labels person 0\.\d\d; \d+ face tracks?$/);
    const ids = x.stdout.filter((l) => l.startsWith('  face track')).map((l) => Number(/track (\d+)/.exec(l)?.[1]));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(core.repos.clips.get('c1')).toMatchObject({ analysis: 'done', labels: { person: expect.any(Number) as number } });

    const bad = io(core.dir);
    expect(await runCli(['clips', 'approve', 'c1', '--config', config, '--tracks', '999'], bad)).toBe(1);
    expect(bad.stderr.join('\n')).toMatch(/INVALID_OPTIONS: tracks: no face track 999/);
    const ok = io(core.dir);
    expect(await runCli(['clips', 'approve', 'c1', '--config', config, '--tracks', String(ids[0])], ok)).toBe(0);
    const share = core.repos.shares.getByClip('c1')!;
    expect(parseStoredOptions(share.optionsJson).faces).toMatchObject({ tracks: [ids[0]], suggested: ids.length });
    expect(await runCli(['clips', 'analyse', 'nope', '--config', config], io(core.dir))).toBe(1);
  }, 180_000);
});
