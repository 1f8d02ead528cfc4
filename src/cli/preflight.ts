import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';

/** The oldest ffmpeg whose segment muxer and filters clipgate relies on (Debian 11 ships 4.3, 12 ships 5.1). */
export const MIN_FFMPEG_MAJOR = 4;
export const MIN_FFMPEG_MINOR = 3;

export function parseFfmpegVersion(firstLine: string): { major: number; minor: number } | undefined {
  // "ffmpeg version 5.1.9-0+deb12u1 Copyright ..." or "ffmpeg version n6.1.1" or "ffprobe version 7.0"
  const m = /version\s+n?(\d+)\.(\d+)/.exec(firstLine);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function firstLineOf(binary: string): Promise<{ line: string } | { code: string | undefined; message: string }> {
  return new Promise((resolve) => {
    execFile(binary, ['-version'], { timeout: 10_000 }, (err, stdout) => {
      if (err) resolve({ code: typeof err.code === 'string' ? err.code : undefined, message: err.message });
      else resolve({ line: stdout.split('\n')[0] ?? '' });
    });
  });
}

async function checkBinary(binary: 'ffmpeg' | 'ffprobe'): Promise<string | undefined> {
  const result = await firstLineOf(binary);
  if (!('line' in result)) {
    if (result.code === 'ENOENT') {
      return `${binary} was not found on PATH; install it (Debian/Raspberry Pi OS: sudo apt-get install ffmpeg)`;
    }
    return `${binary} -version failed: ${result.message}`;
  }
  const v = parseFfmpegVersion(result.line);
  // Development builds print a git hash instead of a version; accept them.
  if (v && (v.major < MIN_FFMPEG_MAJOR || (v.major === MIN_FFMPEG_MAJOR && v.minor < MIN_FFMPEG_MINOR))) {
    return `${binary} ${v.major}.${v.minor} is too old; clipgate needs ${MIN_FFMPEG_MAJOR}.${MIN_FFMPEG_MINOR} or newer`;
  }
  return undefined;
}

function checkWritable(dir: string, key: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    const probe = path.join(dir, `.clipgate-write-test-${process.pid}`);
    writeFileSync(probe, 'ok');
    rmSync(probe);
    return undefined;
  } catch (err) {
    return `${key} ${dir} is not writable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

/**
 * What must hold before the daemon starts. Each failure is one line a user can act on; the
 * port is checked by the web server's own listen (see start.ts), which names the key.
 */
export async function preflight(config: Config): Promise<string[]> {
  const problems: string[] = [];
  for (const binary of ['ffmpeg', 'ffprobe'] as const) {
    const p = await checkBinary(binary);
    if (p) problems.push(p);
  }
  const data = checkWritable(config.dataDir, 'dataDir');
  if (data) problems.push(data);
  if (config.clipsDir !== undefined) {
    const clips = checkWritable(config.clipsDir, 'clipsDir');
    if (clips) problems.push(clips);
  }
  if (config.cameras.length > 0) {
    const cache = checkWritable(config.cacheDir, 'cacheDir');
    if (cache) problems.push(cache);
  }
  return problems;
}
