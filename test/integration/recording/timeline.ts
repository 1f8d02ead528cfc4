// The camera's own timeline, observed independently of the system under test: a reference
// ffmpeg client decodes the (shared, live) stream and we note when each decoded frame arrives.
// Every frame is unique (moving pattern + burnt-in running time), so the MD5 of a decoded frame
// in a clip tells exactly when the camera sent it — a real check of pre/post-roll coverage.
import { runChecked, spawnProcess, type ManagedProcess } from '../../support/index.js';

export interface Timeline {
  /** Wall-clock ms at which the reference client decoded the frame with this MD5. */
  at(hash: string): number | undefined;
  frames(): number;
  stop(): Promise<void>;
}

const FRAME_LINE = /^\d+,\s*-?\d+,\s*-?\d+,\s*\d+,\s*\d+,\s*([0-9a-f]{32})$/;

export async function startTimeline(url: string): Promise<Timeline> {
  const seen = new Map<string, number>();
  let partial = '';
  const proc: ManagedProcess = await spawnProcess(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-map', '0:v', '-fps_mode', 'passthrough', '-f', 'framemd5', '-flush_packets', '1', 'pipe:1'],
    {
      name: 'timeline',
      onData: (which, chunk) => {
        if (which !== 'stdout') return;
        const now = Date.now();
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) {
          const m = FRAME_LINE.exec(l.trim());
          if (m?.[1] && !seen.has(m[1])) seen.set(m[1], now);
        }
      },
    },
  );
  return { at: (h) => seen.get(h), frames: () => seen.size, stop: async () => void (await proc.stop('SIGTERM', 2_000)) };
}

/** MD5 of every decoded video frame of a file, in order. */
export async function frameHashes(file: string): Promise<string[]> {
  const r = await runChecked('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-map', '0:v', '-fps_mode', 'passthrough', '-f', 'framemd5', 'pipe:1'], { timeoutMs: 60_000 });
  return r.stdout.split('\n').map((l) => FRAME_LINE.exec(l.trim())?.[1]).filter((h): h is string => h !== undefined);
}

/** Camera-time span of a clip: when its first and last frames were sent. */
export async function clipSpan(timeline: Timeline, file: string): Promise<{ fromMs: number; toMs: number; frames: number }> {
  const hashes = await frameHashes(file);
  const first = hashes[0] === undefined ? undefined : timeline.at(hashes[0]);
  const last = hashes.at(-1) === undefined ? undefined : timeline.at(hashes.at(-1) ?? '');
  if (first === undefined || last === undefined) {
    throw new Error(`clip frames not found on the camera timeline (${hashes.length} frames, ${timeline.frames()} on the timeline)`);
  }
  return { fromMs: first, toMs: last, frames: hashes.length };
}
