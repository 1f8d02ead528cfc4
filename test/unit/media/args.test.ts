import { describe, expect, it } from 'vitest';
import { concatArgs, concatListLine, containedInputArgs, containedProbeArgs, detectArgs, maskBoxesFilter, maskedSnapshotArgs, probeArgs, recordArgs, thumbnailArgs, type RecordInput, type SegmentOutput } from '../../../src/media/args.js';

const out: SegmentOutput = { dir: '/dev/shm/cg/door', runId: 'r1', segmentSeconds: 2, audio: true };
const segTail = ['-f', 'segment', '-segment_time', '2', '-segment_time_delta', '0.25', '-segment_format', 'mpegts', '-segment_list', 'pipe:1', '-segment_list_type', 'csv', '/dev/shm/cg/door/r1-%06d.ts'];
const quiet = ['-nostdin', '-hide_banner', '-loglevel', 'warning'];
const rtsp = (url: string): string[] => ['-rtsp_transport', 'tcp', '-timeout', '10000000', '-i', url];

describe('recordArgs', () => {
  const cases: { name: string; input: RecordInput; out: SegmentOutput; want: string[] }[] = [
    {
      name: 'rtsp with audio: stream copy of first video and optional first audio',
      input: { kind: 'rtsp', url: 'rtsp://u:p@cam/main' },
      out,
      want: [...quiet, ...rtsp('rtsp://u:p@cam/main'), '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', ...segTail],
    },
    {
      name: 'rtsp without audio maps video only',
      input: { kind: 'rtsp', url: 'rtsp://cam/main' },
      out: { ...out, audio: false },
      want: [...quiet, ...rtsp('rtsp://cam/main'), '-map', '0:v:0', '-c', 'copy', ...segTail],
    },
    {
      name: 'simulated with audio: pattern + tone, 2 s GOP',
      input: { kind: 'simulated', width: 640, height: 360, fps: 10, audio: true },
      out,
      want: [
        ...quiet, '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=10', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000',
        '-map', '0:v', '-map', '1:a',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p',
        '-g', '20', '-keyint_min', '20', '-sc_threshold', '0', '-b:v', '300k', '-threads', '1',
        '-c:a', 'aac', '-b:a', '32k', '-ac', '1', ...segTail,
      ],
    },
    {
      name: 'simulated with record.audio off has no tone',
      input: { kind: 'simulated', width: 320, height: 180, fps: 5, audio: true },
      out: { ...out, audio: false },
      want: [
        ...quiet, '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=5', '-map', '0:v',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p',
        '-g', '10', '-keyint_min', '10', '-sc_threshold', '0', '-b:v', '300k', '-threads', '1', ...segTail,
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(recordArgs(c.input, c.out)).toEqual(c.want);
      // Pure: same input, same output, input untouched.
      expect(recordArgs(c.input, c.out)).toEqual(c.want);
    });
  }

  it('never re-encodes a real camera', () => {
    const args = recordArgs({ kind: 'rtsp', url: 'rtsp://cam/x' }, out);
    expect(args).not.toContain('libx264');
    expect(args.join(' ')).toContain('-c copy');
  });
});

describe('other builders', () => {
  const cases: { name: string; got: string[]; want: string[] }[] = [
    {
      name: 'detectArgs decodes to small grey frames on stdout',
      got: detectArgs('rtsp://cam/sub', { width: 128, height: 72, fps: 5 }),
      want: [...quiet, '-fflags', 'nobuffer', '-flags', 'low_delay', ...rtsp('rtsp://cam/sub'), '-an', '-sn', '-dn', '-vf', 'fps=5,scale=128:72:flags=area,format=gray', '-f', 'rawvideo', 'pipe:1'],
    },
    {
      name: 'concatArgs stream-copies into a faststart mp4',
      got: concatArgs('/t/l.txt', '/t/o.mp4'),
      want: ['-nostdin', '-hide_banner', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', '/t/l.txt', '-map', '0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', '-y', '/t/o.mp4'],
    },
    {
      name: 'thumbnailArgs seeks and writes one JPEG',
      got: thumbnailArgs('/c.mp4', '/c.jpg.tmp', 1),
      want: ['-nostdin', '-hide_banner', '-loglevel', 'error', '-ss', '1.000', '-i', '/c.mp4', '-frames:v', '1', '-vf', 'scale=480:-2', '-q:v', '4', '-f', 'mjpeg', '-y', '/c.jpg.tmp'],
    },
    {
      name: 'maskedSnapshotArgs blacks out each privacy mask and writes a metadata-free JPEG',
      got: maskedSnapshotArgs('/t.jpg', '/s.jpg', [{ x: 0.7, y: 0, width: 0.3, height: 0.4 }]),
      want: [
        '-nostdin', '-hide_banner', '-loglevel', 'error', '-i', '/t.jpg', '-frames:v', '1',
        '-vf', 'format=rgb24,drawbox=x=floor(iw*0.7):y=floor(ih*0):w=ceil(iw*1)-floor(iw*0.7):h=ceil(ih*0.4)-floor(ih*0):color=black:t=fill', '-q:v', '4',
        '-map_metadata', '-1', '-fflags', '+bitexact', '-flags', '+bitexact', '-f', 'mjpeg', '-y', '/s.jpg',
      ],
    },
    {
      name: 'probeArgs asks for JSON streams and format',
      got: probeArgs('/c.mp4'),
      want: ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '/c.mp4'],
    },
    {
      name: 'containedProbeArgs reads stdin with the file protocol and listed demuxers only',
      got: containedProbeArgs(['mov', 'mpegts']),
      want: ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-protocol_whitelist', 'file', '-format_whitelist', 'mov,mpegts', '-i', 'file:/proc/self/fd/0'],
    },
    {
      name: 'containedInputArgs forces the probed demuxer',
      got: containedInputArgs(['mov', 'matroska'], 'matroska'),
      want: ['-protocol_whitelist', 'file', '-format_whitelist', 'mov,matroska', '-f', 'matroska', '-i', 'file:/proc/self/fd/0'],
    },
    {
      name: 'containedInputArgs keeps external data references of mov off',
      got: containedInputArgs(['mov'], 'mov'),
      want: ['-protocol_whitelist', 'file', '-format_whitelist', 'mov', '-f', 'mov', '-enable_drefs', '0', '-i', 'file:/proc/self/fd/0'],
    },
  ];
  for (const c of cases) it(c.name, () => expect(c.got).toEqual(c.want));

  it('maskBoxesFilter: one box per mask, chained; no masks is the null filter', () => {
    expect(maskBoxesFilter([])).toBe('null');
    expect(maskBoxesFilter([{ x: 0, y: 0, width: 0.1, height: 0.1 }, { x: 0.5, y: 0.5, width: 0.25, height: 0.25 }]).split(',drawbox')).toHaveLength(3);
  });

  it.each([
    ['/a/b.ts', "file '/a/b.ts'"],
    ["/it's/b.ts", "file '/it'\\''s/b.ts'"],
  ])('concatListLine(%s)', (file, want) => expect(concatListLine(file)).toBe(want));
});
