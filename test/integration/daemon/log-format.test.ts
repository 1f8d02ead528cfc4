// `clipgate start` (the built CLI) as a person runs it in a terminal — under a pseudo-terminal made
// by util-linux `script` — and as systemd or Docker run it, with stdout a pipe. The config holds a
// camera password (in the RTSP URL the recorder keeps failing to open, so it is logged often) and a
// platform token; neither may appear in either output.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendantPids, makeTempDir, procStat, spawnProcess, waitUntil, type ManagedProcess, type TempDir } from '../../support/index.js';

const MAIN = path.resolve('dist/src/main.js');
const CAMERA_PASSWORD = 'Cam-pw-7781-secret';
const PLATFORM_TOKEN = 'plat-token-5ecret-0042';

let tmp: TempDir;
let config: string;

beforeAll(async () => {
  tmp = await makeTempDir('cg-logfmt-');
  config = path.join(tmp.path, 'clipgate.yml');
  // Port 1 and 9 on loopback: nothing listens, so the recorder and the request poller fail and log.
  writeFileSync(config, [
    `dataDir: ${path.join(tmp.path, 'data')}`,
    `cacheDir: ${path.join(tmp.path, 'cache')}`,
    'web: { host: 127.0.0.1, port: 0 }',
    'cameras:',
    '  - id: porch',
    '    name: Porch',
    '    rtsp: { main: "rtsp://admin:${PORCH_PASSWORD}@127.0.0.1:1/stream" }',
    'platform: { url: "http://127.0.0.1:9/api", token: "${CLIPGATE_PLATFORM_TOKEN}" }',
    '',
  ].join('\n'));
});
afterAll(async () => tmp?.cleanup());

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Run the daemon until it has started and the camera's failure has been logged, then stop it with
 * SIGTERM (sent to the node process itself, by PID) and return everything it wrote.
 */
async function run(opts: { tty: boolean; noColour?: boolean }): Promise<{ output: string; code: number | null }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORCH_PASSWORD: CAMERA_PASSWORD, CLIPGATE_PLATFORM_TOKEN: PLATFORM_TOKEN, CLIPGATE_CONFIG: '' };
  delete env.NO_COLOR;
  if (opts.noColour) env.NO_COLOR = '1';
  let output = '';
  const onData = (_s: 'stdout' | 'stderr', chunk: string): void => {
    output += chunk;
  };
  const command = `${quote(process.execPath)} ${quote(MAIN)} start --config ${quote(config)}`;
  const proc: ManagedProcess = opts.tty
    ? await spawnProcess('script', ['-qfec', command, '/dev/null'], { env, onData, ringSize: 2000 })
    : await spawnProcess(process.execPath, [MAIN, 'start', '--config', config], { env, onData, ringSize: 2000 });
  try {
    await waitUntil('the daemon started and logged the camera failing', () => /clipgate started/.test(output) && /Connection refused/.test(output), 30_000, 100);
    // Under `script`, the daemon is a grandchild: stop it, not script, so it stops cleanly.
    const daemon = opts.tty ? descendantPids(proc.pid).find((pid) => procStat(pid)?.comm === 'node') : proc.pid;
    if (daemon === undefined) throw new Error(`no node process under script ${proc.pid}`);
    process.kill(daemon, 'SIGTERM');
    const exit = await proc.exited;
    await proc.closed;
    return { output, code: exit.code };
  } finally {
    if (proc.running) await proc.stop('SIGKILL');
  }
}

describe('clipgate start log output', () => {
  it('on a terminal: one readable line per event, coloured, no JSON, no secret', async () => {
    const { output, code } = await run({ tty: true });
    expect(code).toBe(0);
    const lines = output.split(/\r?\n/).filter((l) => l !== '');
    expect(output).not.toContain('{"level"');
    // eslint-disable-next-line no-control-regex -- stripping ANSI colours is the point
    const text = lines.map((l) => l.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(text.some((l) => /^\d\d:\d\d:\d\d\.\d{3} INFO {2}clipgate clipgate started version=\S+ demo=false /.test(l))).toBe(true);
    expect(text.some((l) => /^\d\d:\d\d:\d\d\.\d{3} INFO {2}cameras\/porch camera status status=offline lastError="rtsp:\/\/admin:\*\*\*@127\.0\.0\.1:1\/stream: Connection refused"$/.test(l))).toBe(true);
    expect(text.some((l) => /^\d\d:\d\d:\d\d\.\d{3} INFO {2}clipgate stopping signal=SIGTERM$/.test(l))).toBe(true);
    expect(output).toContain('\u001b[');
    expect(output).not.toContain(CAMERA_PASSWORD);
    expect(output).not.toContain(PLATFORM_TOKEN);
  });

  it('on a terminal with NO_COLOR: the same lines without a single escape sequence', async () => {
    const { output, code } = await run({ tty: true, noColour: true });
    expect(code).toBe(0);
    expect(output).toMatch(/\d\d:\d\d:\d\d\.\d{3} INFO {2}clipgate clipgate started/);
    expect(output).not.toContain('\u001b');
    expect(output).not.toContain(CAMERA_PASSWORD);
  });

  it('piped: JSON lines only, no secret', async () => {
    const { output, code } = await run({ tty: false });
    expect(code).toBe(0);
    const lines = output.split('\n').filter((l) => l !== '');
    const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string; time: string });
    expect(records.some((r) => r.msg === 'clipgate started')).toBe(true);
    expect(records.every((r) => typeof r.level === 'number' && /Z$/.test(r.time))).toBe(true);
    expect(output).toContain('rtsp://admin:***@127.0.0.1:1/stream');
    expect(output).not.toContain(CAMERA_PASSWORD);
    expect(output).not.toContain(PLATFORM_TOKEN);
  });
});
