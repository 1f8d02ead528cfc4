// Real Mosquitto broker + real mosquitto_sub/mosquitto_pub clients for integration tests.
//
// Using the CLI clients (rather than the app's own mqtt library) means a test
// observes the wire behaviour of the broker, not the library under test talking to itself.
import { chmod, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runChecked, runProcess, spawnProcess, type RunResult } from './proc.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { makeTempDir } from './tmp.js';
import { sleep } from './wait.js';

export interface MosquittoOptions {
  /** When set, anonymous clients are refused and only this user may connect. */
  auth?: { username: string; password: string };
  /** Fixed port; default is a free loopback port. */
  port?: number;
  /** Extra raw mosquitto.conf lines appended verbatim. */
  extraConfig?: string[];
}

export interface Mosquitto {
  /** mqtt://127.0.0.1:PORT (credentials are NOT embedded; see username/password). */
  url: string;
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** PID of the current broker process (changes after restart()). */
  readonly pid: number;
  /** Temp dir holding mosquitto.conf (and passwd). */
  dir: string;
  /** Trailing broker log, for assertion messages. */
  logs(): string;
  /** Stop the broker and delete its temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Stop and start again on the same port (for reconnect tests). */
  restart(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const tmp = await makeTempDir('clipgate-mosquitto-');
  const confPath = path.join(tmp.path, 'mosquitto.conf');
  const baseConf = [
    `allow_anonymous ${opts.auth ? 'false' : 'true'}`,
    'persistence false',
    // Mosquitto drops privileges to user "mosquitto" when started as root, which
    // then cannot read our 0700 temp dir; staying as the current user avoids that.
    `user ${os.userInfo().username}`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
  ];

  let server: ServerProcess;
  try {
    if (opts.auth) {
      const pwPath = path.join(tmp.path, 'passwd');
      await runChecked('mosquitto_passwd', ['-b', '-c', pwPath, opts.auth.username, opts.auth.password], {
        timeoutMs: 10_000,
      });
      await chmod(pwPath, 0o600);
      baseConf.push(`password_file ${pwPath}`);
    }
    baseConf.push(...(opts.extraConfig ?? []));
    server = await startServerProcess({
      label: 'mosquitto',
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      prepare: (port) => writeFile(confPath, [`listener ${port} ${HOST}`, ...baseConf].join('\n') + '\n'),
      // Foreground (no -d) so the PID we hold is the broker itself.
      spawn: (port) => spawnProcess('mosquitto', ['-c', confPath], { name: `mosquitto:${port}` }),
      // The "running" line comes after the listener is bound, so a port clash
      // surfaces as an early exit instead of us talking to someone else's socket.
      ready: /mosquitto version \S+ running/,
      readyTimeoutMs: 10_000,
    });
  } catch (err) {
    await tmp.cleanup();
    throw err;
  }

  let stopped = false;
  return {
    url: `mqtt://${HOST}:${server.port}`,
    host: HOST,
    port: server.port,
    username: opts.auth?.username,
    password: opts.auth?.password,
    get pid() {
      return server.pid;
    },
    dir: tmp.path,
    logs: () => server.logs(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await tmp.cleanup();
    },
    restart: () => server.restart(),
  };
}

// ---------------------------------------------------------------------------
// CLI clients

export interface MqttTarget {
  /** mqtt://[user:pass@]host:port; host/port/username/password override its parts. */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
}

function connectArgs(t: MqttTarget): string[] {
  const u = t.url ? new URL(t.url) : null;
  const host = t.host ?? (u?.hostname || HOST);
  const port = t.port ?? (u?.port ? Number(u.port) : undefined);
  if (port === undefined) throw new Error('mqtt target needs a port or a url with a port');
  const username = t.username ?? (u?.username ? decodeURIComponent(u.username) : undefined);
  const password = t.password ?? (u?.password ? decodeURIComponent(u.password) : undefined);
  const args = ['-h', host, '-p', String(port)];
  if (username !== undefined) args.push('-u', username);
  if (password !== undefined) args.push('-P', password);
  return args;
}

export interface PubOptions extends MqttTarget {
  topic: string;
  message: string;
  qos?: 0 | 1 | 2;
  retain?: boolean;
  timeoutMs?: number;
  /** Return the result instead of throwing on a non-zero exit (e.g. auth tests). */
  allowFailure?: boolean;
}

/** Publish one message with the real mosquitto_pub; throws on failure unless allowFailure. */
export async function mosquittoPub(opts: PubOptions): Promise<RunResult> {
  const args = [...connectArgs(opts), '-t', opts.topic, '-m', opts.message, '-q', String(opts.qos ?? 0)];
  if (opts.retain) args.push('-r');
  const run = opts.allowFailure ? runProcess : runChecked;
  return run('mosquitto_pub', args, { timeoutMs: opts.timeoutMs ?? 10_000 });
}

export interface SubOptions extends MqttTarget {
  topic: string | string[];
  /** Exit after this many messages (mosquitto_sub -C). Default 1. */
  count?: number;
  /** Give up after this long (mosquitto_sub -W, rounded up to seconds). Default 10 s. */
  timeoutMs?: number;
  /** Prefix each line with its topic (-v). Default true. */
  verbose?: boolean;
  qos?: 0 | 1 | 2;
}

export interface MqttMessage {
  topic: string;
  payload: string;
}

export interface SubResult {
  /** Received lines exactly as mosquitto_sub printed them ("topic payload" with verbose). */
  lines: string[];
  /** Parsed lines; only meaningful with verbose=true (topics cannot contain spaces then). */
  messages: MqttMessage[];
  code: number | null;
  /** mosquitto_sub hit -W before receiving `count` messages. */
  timedOut: boolean;
}

export interface Subscription {
  pid: number;
  /** Settles when mosquitto_sub exits (count reached, timeout, or stop()). */
  result: Promise<SubResult>;
  /** Shorthand for (await result).lines. */
  lines(): Promise<string[]>;
  stop(): Promise<void>;
}

let subSeq = 0;

/**
 * Start the real `mosquitto_sub -v -C count -W secs` and resolve once the broker
 * has acknowledged the subscription, so a publish made right after cannot be missed.
 * Rejects (with the client's output) if it cannot connect or subscribe.
 */
export async function mosquittoSub(opts: SubOptions): Promise<Subscription> {
  const count = opts.count ?? 1;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const verbose = opts.verbose ?? true;
  // A unique client id lets us tell -d debug lines ("Client <id> ...") apart from payloads.
  const clientId = `cg-sub-${process.pid}-${++subSeq}`;
  const topics = Array.isArray(opts.topic) ? opts.topic : [opts.topic];
  const args = [...connectArgs(opts), '-i', clientId, '-d', '-C', String(count), '-W', String(Math.ceil(timeoutMs / 1000))];
  for (const t of topics) args.push('-t', t);
  args.push('-q', String(opts.qos ?? 0));
  if (verbose) args.push('-v');

  let stdout = '';
  // mosquitto_sub's debug log (our readiness signal) is block-buffered when stdout is a
  // pipe; stdbuf forces line buffering. stdbuf exec()s the client, so the PID is the same.
  const proc = await spawnProcess('stdbuf', ['-oL', '-eL', 'mosquitto_sub', ...args], {
    name: `mosquitto_sub:${clientId}`,
    onData: (which, chunk) => {
      if (which === 'stdout') stdout += chunk;
    },
  });
  // Hard stop a little after -W in case the client wedges.
  const guard = setTimeout(() => void proc.stop('SIGTERM', 1_000), timeoutMs + 5_000);

  const result = (async (): Promise<SubResult> => {
    const info = await proc.exited;
    clearTimeout(guard);
    await Promise.race([proc.closed, sleep(2_000)]);
    const debugPrefix = `Client ${clientId} `;
    const lines = stdout
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith(debugPrefix) && !/^Subscribed \(mid: \d+\)/.test(l));
    const messages = lines.map((l) => {
      const i = l.indexOf(' ');
      return i < 0 ? { topic: l, payload: '' } : { topic: l.slice(0, i), payload: l.slice(i + 1) };
    });
    // 27 is mosquitto_sub's "timed out" exit code (-W).
    return { lines, messages, code: info.code, timedOut: info.code === 27 };
  })();

  try {
    await proc.waitForLine(/^Subscribed \(mid: \d+\)/, timeoutMs);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw err;
  }
  return {
    pid: proc.pid,
    result,
    lines: async () => (await result).lines,
    stop: async () => {
      await proc.stop('SIGTERM', 1_000);
      await result;
    },
  };
}

/** Subscribe, run `action` (e.g. trigger a publish), and return the received lines. */
export async function mqttSubscribeOnce(opts: SubOptions, action: () => Promise<unknown>): Promise<SubResult> {
  const sub = await mosquittoSub(opts);
  try {
    await action();
  } catch (err) {
    await sub.stop();
    throw err;
  }
  return sub.result;
}
