// Guards scripts/setup.sh's capability table: everything the sources use (GStreamer elements in
// pipelines, ffmpeg encoders/filters/muxers/demuxers/bsfs in argv and filter graphs, programs they
// spawn) must be in the table, so a fresh machine gets the package before a test needs it.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTable, uncovered, type Row, type Use } from './capability-table.js';
import { ffmpegFilterNames, scanSource, sourceFiles } from './scan.js';

/** Programs the table leaves out on purpose, and why. */
const NOT_IN_TABLE: Record<string, string> = {
  npm: 'setup.sh itself runs under npm',
  npx: 'comes with npm',
  'systemd-analyze': 'deploy-files.test.ts skips its verify step without it (containers have no systemd)',
};

const exempt = (u: Use): boolean => u.kind === 'cmd' && (u.name.split('/').pop() ?? '') in NOT_IN_TABLE;
const show = (us: Use[]): string[] => us.map((u) => `${u.kind} ${u.name} (${u.at})`);

describe('scripts/setup.sh capability table', () => {
  let rows: Row[];
  let filters: Set<string>;
  let uses: Use[];

  beforeAll(() => {
    rows = parseTable(readFileSync('scripts/setup.sh', 'utf8'));
    filters = ffmpegFilterNames();
    uses = sourceFiles('.').flatMap((s) => scanSource(s, filters));
  });

  it('lists every element, encoder, filter, muxer, bsf and program the sources use', () => {
    expect(show(uncovered(uses, rows).filter((u) => !exempt(u))), 'add these to the table in scripts/setup.sh').toEqual([]);
  });

  it('marks what src/ uses as needed at run time, since `npm start` checks only those rows', () => {
    const runRows = rows.filter((r) => r.need === 'run');
    const fromSrc = uses.filter((u) => u.at.startsWith('src/'));
    expect(fromSrc.length).toBeGreaterThan(20);
    expect(show(uncovered(fromSrc, runRows).filter((u) => !exempt(u))), 'mark these `run` in scripts/setup.sh').toEqual([]);
  });

  it('finds the capabilities the sources are known to use (the scanner is not blind)', () => {
    const found = new Set(uses.map((u) => `${u.kind} ${u.name}`));
    const known = [
      'element timeoverlay', 'element x264enc', 'element videotestsrc', 'element voaacenc', 'element rtpmp4gpay', 'element capsfilter',
      'encoder libx264', 'encoder aac', 'encoder pcm_s16le',
      'filter crop', 'filter overlay', 'filter split', 'filter null', 'filter fps', 'filter testsrc2', 'filter ssim',
      'muxer segment', 'muxer mpegts', 'muxer mjpeg', 'demuxer concat', 'demuxer lavfi', 'bsf filter_units',
      'cmd mosquitto_sub', 'cmd /usr/bin/chromium', 'cmd /usr/bin/python3', 'cmd openssl',
    ];
    expect(known.filter((k) => !found.has(k))).toEqual([]);
  });

  it('fails naming a GStreamer element that is not in the table', () => {
    const python = [
      'import gi',
      'from gi.repository import Gst, GstRtspServer',
      'def branch(encoder):',
      '    return (f"videotestsrc is-live=true ! textoverlay text=hi font-desc=\\"Sans 12\\" "',
      '            "! x264enc ! rtph264pay name=pay0 ")',
      'for name in ("avenc_aac", "fakeaacenc"):',
      '    Gst.ElementFactory.find(name)',
    ].join('\n');
    const found = scanSource({ file: 'synthetic.py', text: python }, filters);
    expect(show(uncovered(found, rows))).toEqual(['element textoverlay (synthetic.py:4)', 'element fakeaacenc (synthetic.py:6)']);
  });

  it('fails naming an ffmpeg encoder, filter, muxer, demuxer, bsf or program that is not in the table', () => {
    const typescript = [
      "import { spawn } from 'node:child_process';",
      "const blur = `gblur=sigma=${4}`;",
      "spawn('ffmpeg', ['-f', 'v4l2', '-i', '/dev/video0', '-c:v', fast ? 'libvpx' : 'libx264', '-vf', `boxblur=${r}:1,scale=640:-2`,",
      "  '-bsf:v', 'hevc_metadata=level=4', '-c:a', 'libopus', '-f', 'webm', 'out.webm']);",
      "spawn('gst-launch-1.0', ['videotestsrc', '!', 'fakesink']);",
      "const p = 'videotestsrc ! clockoverlay ! autovideosink';",
    ].join('\n');
    const found = scanSource({ file: 'synthetic.ts', text: typescript }, filters);
    expect(show(uncovered(found, rows)).sort()).toEqual([
      'bsf hevc_metadata (synthetic.ts:4)',
      'cmd gst-launch-1.0 (synthetic.ts:5)',
      'demuxer v4l2 (synthetic.ts:3)',
      'element autovideosink (synthetic.ts:6)',
      'element clockoverlay (synthetic.ts:6)',
      'element fakesink (synthetic.ts:5)',
      'encoder libopus (synthetic.ts:4)',
      'encoder libvpx (synthetic.ts:3)',
      'filter boxblur (synthetic.ts:3)',
      'filter gblur (synthetic.ts:2)',
      'muxer webm (synthetic.ts:4)',
    ]);
  });

  it('does not read options of other programs or plain words as ffmpeg capabilities', () => {
    const typescript = [
      "run('mosquitto', ['-c', confPath]);",
      "run('ps', ['-o', 'pid=', '--ppid', String(pid)]);",
      "run('ffprobe', ['-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', f]);",
      "const args = ['-c', 'copy', '-metadata', 'title=clip', '-metadata', 'creation_time=2026-01-01T00:00:00Z'];",
      "log.info('copy ! done');",
    ].join('\n');
    const found = scanSource({ file: 'synthetic.ts', text: typescript }, filters).filter((u) => u.kind !== 'cmd');
    expect(show(found)).toEqual([]);
  });

  it('has well-formed rows: run/dev, a known kind, a Debian package', () => {
    expect(rows.length).toBeGreaterThan(50);
    const keys = rows.map((r) => `${r.kind} ${r.names.join('|')}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i), 'duplicate rows').toEqual([]);
    expect(rows.find((r) => r.names.includes('timeoverlay'))?.pkg).toBe('gstreamer1.0-x');
  });
});
