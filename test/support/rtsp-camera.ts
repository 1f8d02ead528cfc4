// TypeScript wrapper around rtsp_camera.py (GStreamer RTSP server test camera).
//
// CPU budget (measured on the 2-core CI box, GStreamer 1.22, x264 ultrafast, threads=1):
// one camera at the defaults (1080p15 main + AAC, plus 360p sub) costs ~18-21% of one
// core while streaming and ~0% while no client is connected (the pipelines only run
// while someone is watching). fps therefore stays at 15.
import { fileURLToPath } from 'node:url';
import { spawnProcess } from './proc.js';
import { startServerProcess } from './server-process.js';

/** Debian's interpreter: the pyenv python3 on PATH has no `gi` bindings. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const RTSP_CAMERA_SCRIPT = fileURLToPath(new URL('./rtsp_camera.py', import.meta.url));

export interface RtspCameraOptions {
  /** Fixed port; default is a free loopback port. */
  port?: number;
  /** Frame rate of both streams. Default 15 (keyframe every fps*2 frames = 2 s). */
  fps?: number;
  /** Main stream size. Default 1920x1080. */
  width?: number;
  height?: number;
  /** Main stream bitrate. Default 4000. */
  bitrateKbps?: number;
  /** Still picture for "no motion" tests. Default false (picture moves every frame). */
  static?: boolean;
  /** videotestsrc pattern name. Default 'smpte'. */
  pattern?: string;
  /** Main stream with AAC audio. Default true. */
  audio?: boolean;
  /** Require RTSP credentials. */
  auth?: { username: string; password: string; method?: 'digest' | 'basic' };
  /** Burn the pipeline running time into the picture (note: makes --static not fully still). */
  overlayTime?: boolean;
}

export interface RtspCamera {
  host: string;
  port: number;
  /** rtsp://127.0.0.1:PORT/main — without credentials; use url() for those. */
  mainUrl: string;
  subUrl: string;
  /** PID of the current camera process (changes after restart()). */
  readonly pid: number;
  /** URL of a mount, optionally with (URL-encoded) credentials. */
  url(username?: string, password?: string, stream?: 'main' | 'sub'): string;
  /** Trailing camera output, for assertion messages. */
  logs(): string;
  /** Stop the camera process. Idempotent. */
  stop(): Promise<void>;
  /** Stop and start again on the same port (for reconnect tests). */
  restart(): Promise<void>;
}

const HOST = '127.0.0.1';

function cameraArgs(port: number, o: RtspCameraOptions): string[] {
  const args = [RTSP_CAMERA_SCRIPT, '--host', HOST, '--port', String(port)];
  if (o.fps !== undefined) args.push('--fps', String(o.fps));
  if (o.width !== undefined) args.push('--width', String(o.width));
  if (o.height !== undefined) args.push('--height', String(o.height));
  if (o.bitrateKbps !== undefined) args.push('--bitrate-kbps', String(o.bitrateKbps));
  if (o.static) args.push('--static');
  if (o.pattern !== undefined) args.push('--pattern', o.pattern);
  if (o.audio === false) args.push('--no-audio');
  if (o.overlayTime) args.push('--overlay-time');
  if (o.auth) {
    args.push('--user', o.auth.username, '--password', o.auth.password);
    if (o.auth.method) args.push('--auth-method', o.auth.method);
  }
  return args;
}

export async function startRtspCamera(opts: RtspCameraOptions = {}): Promise<RtspCamera> {
  // Drop pyenv/venv variables that could point the system interpreter at the wrong site-packages.
  const env = { ...process.env };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  env.PYTHONUNBUFFERED = '1';

  const server = await startServerProcess({
    label: 'rtsp camera',
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    spawn: (port) => spawnProcess(SYSTEM_PYTHON, cameraArgs(port, opts), { name: `rtsp-camera:${port}`, env }),
    // READY is printed only after the server socket is bound, so a port clash
    // shows up as an early exit ("could not bind"), never as a false READY.
    ready: /^READY rtsp:\/\//,
    readyTimeoutMs: 20_000,
  });

  const url = (username?: string, password?: string, stream: 'main' | 'sub' = 'main'): string => {
    const cred =
      username === undefined
        ? ''
        : `${encodeURIComponent(username)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
    return `rtsp://${cred}${HOST}:${server.port}/${stream}`;
  };

  return {
    host: HOST,
    port: server.port,
    mainUrl: url(undefined, undefined, 'main'),
    subUrl: url(undefined, undefined, 'sub'),
    get pid() {
      return server.pid;
    },
    url,
    logs: () => server.logs(),
    stop: () => server.stop(),
    restart: () => server.restart(),
  };
}
