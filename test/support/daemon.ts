// The REAL built daemon (`node dist/src/main.js start --config FILE`) as a child process, for
// whole-system tests: fault injection (kill -9, restart) and the soak. Everything goes through
// the public surfaces a user has: the config file, the CLI, the HTTP API with a Bearer token,
// and the JSON log lines on stdout. Needs `npx tsc -p tsconfig.build.json` (dist/) first.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess, spawnProcess, type ExitInfo, type ManagedProcess, type RunResult } from './proc.js';
import { descendantPids, procStat } from './procfs.js';
import { sleep } from './wait.js';

export const DAEMON_MAIN = path.resolve('dist/src/main.js');

/** One parsed pino line of the daemon's log. */
export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface DaemonOptions {
  /** Working directory; the config file, data and cache dirs are created under it. */
  dir: string;
  /** Config sections other than dataDir, cacheDir, web and logging (cameras, platform, mqtt, ...). */
  config: Record<string, unknown>;
  /** Default info. */
  logLevel?: string;
  /** Extra environment (e.g. secrets referenced as ${VAR} in the config). */
  env?: NodeJS.ProcessEnv;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

const LEVEL_WARN = 40;
const LEVEL_ERROR = 50;
/** Kept for waitForLog and diagnostics; warnings and errors are kept separately, in full. */
const RECENT_LINES = 5_000;

/**
 * A daemon under test. Construct with createDaemon(); start() spawns it and resolves once it
 * logs "clipgate started" and its web port is known.
 */
export class Daemon {
  readonly configFile: string;
  readonly dataDir: string;
  readonly cacheDir: string;
  /** API token created with `clipgate token create` before the first start. */
  token = '';
  /** Web port of the current run (the config asks for port 0: any free port, no race). */
  port = 0;
  starts = 0;
  private proc: ManagedProcess | undefined;
  private recent: LogLine[] = [];
  /** How many lines have been dropped from the front of `recent`. */
  private recentBase = 0;
  private readonly problems: LogLine[] = [];
  private listeners = new Set<(l: LogLine) => void>();

  constructor(private readonly opts: DaemonOptions) {
    this.configFile = path.join(opts.dir, 'clipgate.yml');
    this.dataDir = path.join(opts.dir, 'data');
    this.cacheDir = path.join(opts.dir, 'cache');
  }

  get pid(): number {
    if (!this.proc) throw new Error('daemon is not running');
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Write the config (JSON is YAML) and create the API token. */
  async init(): Promise<void> {
    const config = {
      dataDir: this.dataDir,
      cacheDir: this.cacheDir,
      web: { host: '127.0.0.1', port: 0 },
      logging: { level: this.opts.logLevel ?? 'info' },
      ...this.opts.config,
    };
    await writeFile(this.configFile, JSON.stringify(config, null, 2) + '\n');
    const r = await this.cli(['token', 'create', 'fault-suite']);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    if (r.code !== 0 || !last) throw new Error(`token create failed (code ${r.code}): ${r.stderr}${r.stdout}`);
    this.token = last.trim();
  }

  async start(timeoutMs = 90_000): Promise<void> {
    if (!existsSync(DAEMON_MAIN)) throw new Error(`${DAEMON_MAIN} missing: build first (npx tsc -p tsconfig.build.json)`);
    if (this.running) throw new Error('daemon already running');
    const mark = this.logMark;
    let partial = '';
    this.proc = await spawnProcess(process.execPath, [DAEMON_MAIN, 'start', '--config', this.configFile], {
      name: 'clipgate',
      env: { ...process.env, ...this.opts.env },
      cwd: this.opts.dir,
      onData: (_stream, chunk) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const p of parts) this.onLine(p);
      },
    });
    this.starts++;
    const listening = await this.waitForLog((l) => l.msg === 'web server listening', timeoutMs, mark);
    this.port = Number(listening.port);
    await this.waitForLog((l) => l.msg === 'clipgate started', timeoutMs, mark);
  }

  /** SIGTERM and wait; the exit info says whether it stopped cleanly (code 0). */
  async stop(graceMs = 15_000): Promise<ExitInfo> {
    if (!this.proc) return { code: 0, signal: null };
    const info = await this.proc.stop('SIGTERM', graceMs);
    this.proc = undefined;
    return info;
  }

  /**
   * kill -9 the daemon, like a power cut: its ffmpeg children are killed too once we know how
   * many outlived it by `orphanGraceMs` (those would keep writing into the cache in production).
   */
  async kill9(orphanGraceMs = 2_000): Promise<{ orphans: number }> {
    const proc = this.proc;
    if (!proc) throw new Error('daemon is not running');
    const kids = descendantPids(proc.pid).map((pid) => ({ pid, startTicks: procStat(pid)?.startTicks }));
    process.kill(proc.pid, 'SIGKILL');
    await proc.exited;
    this.proc = undefined;
    const same = (k: (typeof kids)[number]): boolean => procStat(k.pid)?.startTicks === k.startTicks;
    const deadline = Date.now() + orphanGraceMs;
    while (kids.some(same) && Date.now() < deadline) await sleep(100);
    const survivors = kids.filter(same);
    for (const k of survivors) {
      try {
        process.kill(k.pid, 'SIGKILL');
      } catch {
        /* exited between the check and the kill */
      }
    }
    return { orphans: survivors.length };
  }

  /** Run a CLI command against the same config (`clipgate ARGS --config FILE`). */
  cli(args: string[], timeoutMs = 60_000): Promise<RunResult> {
    return runProcess(process.execPath, [DAEMON_MAIN, ...args, '--config', this.configFile], {
      name: `clipgate ${args[0] ?? ''}`,
      cwd: this.opts.dir,
      env: { ...process.env, ...this.opts.env },
      timeoutMs,
    });
  }

  /** Call the HTTP API with the Bearer token; never throws on an HTTP error status. */
  async api<T = unknown>(method: string, route: string, body?: unknown, timeoutMs = 30_000): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}/api${route}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T };
  }

  /** Resolve with the first log line (from index `from` of the recent lines on) matching `pred`. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 30_000, from = 0): Promise<LogLine> {
    const seen = this.recent.slice(Math.max(0, from - this.recentBase)).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const proc = this.proc;
      const done = (): void => {
        clearTimeout(timer);
        clearInterval(alive);
        this.listeners.delete(listener);
      };
      const listener = (l: LogLine): void => {
        if (!pred(l)) return;
        done();
        resolve(l);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`daemon: no matching log line within ${timeoutMs} ms. Output:\n${proc?.tail(40) ?? ''}`));
      }, timeoutMs);
      const alive = setInterval(() => {
        if (proc && !proc.running) {
          done();
          reject(new Error(`daemon exited (${JSON.stringify(proc.exitInfo)}) while waiting. Output:\n${proc.tail(40)}`));
        }
      }, 200);
      this.listeners.add(listener);
    });
  }

  /** Length of the log so far; pass it to waitForLog to wait only for later lines. */
  get logMark(): number {
    return this.recentBase + this.recent.length;
  }

  /** Every warning or error line over all runs (level ≥ warn). */
  warnings(): LogLine[] {
    return [...this.problems];
  }

  errors(): LogLine[] {
    return this.problems.filter((l) => l.level >= LEVEL_ERROR);
  }

  /** The most recent log lines (bounded), oldest first. */
  lines(): LogLine[] {
    return [...this.recent];
  }

  tail(n = 40): string {
    return this.proc?.tail(n) ?? this.recent.slice(-n).map((l) => JSON.stringify(l)).join('\n');
  }

  private onLine(text: string): void {
    let line: LogLine;
    try {
      const parsed = JSON.parse(text) as Partial<LogLine>;
      line = { ...parsed, level: Number(parsed.level ?? 30), msg: String(parsed.msg ?? '') };
    } catch {
      // Not pino (a crash trace, a CLI message): keep it, as an error, so it is not lost.
      line = { level: LEVEL_ERROR, msg: text, raw: true };
    }
    this.recent.push(line);
    if (this.recent.length > RECENT_LINES) {
      this.recent.shift();
      this.recentBase++;
    }
    if (line.level >= LEVEL_WARN && this.problems.length < 10_000) this.problems.push(line);
    for (const l of [...this.listeners]) l(line);
  }
}

/** Create the daemon's config and API token; call start() next. */
export async function createDaemon(opts: DaemonOptions): Promise<Daemon> {
  const d = new Daemon(opts);
  await d.init();
  return d;
}
