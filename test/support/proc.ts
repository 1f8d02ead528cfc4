// Child-process helper for integration tests.
//
// Rules this file enforces:
//  - argv arrays only (never a shell string), so paths/passwords need no quoting;
//  - processes are stopped by PID (never by name), escalating SIGTERM -> SIGKILL;
//  - every spawned process is kept in a per-worker registry so afterAll can
//    stopAll() anything a failing test leaked;
//  - the last N output lines are kept so a failure message can show what the
//    component said, without buffering unbounded logs from long-running daemons.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { sleep } from './wait.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  cwd?: string;
  /** Full environment for the child; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Label used in diagnostics; defaults to the command's basename. */
  name?: string;
  /** How many trailing output lines (stdout+stderr interleaved) to keep. Default 200. */
  ringSize?: number;
  /** 'pipe' if the test wants to write to child.stdin. Default 'ignore'. */
  stdin?: 'ignore' | 'pipe';
  /** Raw output tap, attached before the process starts so nothing is missed. */
  onData?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Settles once the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** Settles once the process has exited and its stdout/stderr are drained. */
  readonly closed: Promise<void>;
  /** Null while running. */
  readonly exitInfo: ExitInfo | null;
  readonly running: boolean;
  /** Trailing output lines, oldest first. */
  lines(): string[];
  /** Trailing output as one string, for error messages. */
  tail(maxLines?: number): string;
  /** Resolve with the first line (already seen or future) matching re. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM (or `signal`), wait graceMs, then SIGKILL; resolves after exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitInfo>;
}

const registry = new Set<ManagedProcess>();

/** Processes started by this worker that have not exited yet. */
export function liveProcesses(): ManagedProcess[] {
  return [...registry].filter((p) => p.running);
}

/** Stop everything still running; meant for afterAll/afterEach as a safety net. */
export async function stopAll(graceMs = 2_000): Promise<void> {
  await Promise.all(liveProcesses().map((p) => p.stop('SIGTERM', graceMs)));
}

/** True if a process with this PID exists (signal 0 probes without delivering). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// If the worker dies without running afterAll (crash, process.exit), don't leave
// daemons behind holding ports. 'exit' handlers must be synchronous, so SIGKILL.
process.once('exit', () => {
  for (const p of registry) {
    if (p.running) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
});

/**
 * Spawn `cmd args...` and resolve once the OS has actually started it, so a
 * missing binary rejects here instead of surfacing later as a confusing timeout.
 */
export function spawnProcess(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Promise<ManagedProcess> {
  const name = opts.name ?? cmd.split('/').pop() ?? cmd;
  const ringSize = opts.ringSize ?? 200;
  const stdio: StdioOptions = [opts.stdin ?? 'ignore', 'pipe', 'pipe'];
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio, shell: false });

  const ring: string[] = [];
  const lineListeners = new Set<(line: string) => void>();
  const pushLine = (line: string): void => {
    ring.push(line);
    if (ring.length > ringSize) ring.shift();
    for (const l of lineListeners) l(line);
  };
  // Split per stream so a partial stdout line is not glued to a stderr one.
  // ffmpeg rewrites its progress line with '\r', so treat that as a break too.
  const attach = (stream: NodeJS.ReadableStream | null, which: 'stdout' | 'stderr'): void => {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      opts.onData?.(which, chunk);
      const parts = (partial + chunk).split(/\r\n|\r|\n/);
      partial = parts.pop() ?? '';
      for (const p of parts) if (p !== '') pushLine(p);
    });
    stream.on('end', () => {
      if (partial !== '') pushLine(partial);
      partial = '';
    });
  };
  attach(child.stdout, 'stdout');
  attach(child.stderr, 'stderr');

  let exitInfo: ExitInfo | null = null;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  // 'close' = exited AND stdio drained; 'exit' can come first with output still buffered.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const tail = (maxLines = 40): string => ring.slice(-maxLines).join('\n');

  return new Promise((resolve, reject) => {
    // Keep a listener for the child's lifetime: an unhandled 'error' event would crash the worker.
    child.on('error', (err) => reject(new Error(`spawn ${name} failed: ${err.message}`)));
    child.once('spawn', () => {
      const pid = child.pid;
      if (pid === undefined) {
        reject(new Error(`spawn ${name}: no pid`));
        return;
      }
      let stopping: Promise<ExitInfo> | null = null;
      const proc: ManagedProcess = {
        name,
        pid,
        child,
        exited,
        closed,
        get exitInfo() {
          return exitInfo;
        },
        get running() {
          return exitInfo === null;
        },
        lines: () => [...ring],
        tail,
        waitForLine(re, timeoutMs = 10_000) {
          for (const line of ring) {
            const m = line.match(re);
            if (m) return Promise.resolve(m);
          }
          return new Promise((res, rej) => {
            const cleanup = (): void => {
              clearTimeout(timer);
              lineListeners.delete(onLine);
            };
            const onLine = (line: string): void => {
              const m = line.match(re);
              if (m) {
                cleanup();
                res(m);
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              rej(new Error(`${name}[${pid}]: no line matching ${re} within ${timeoutMs} ms. Output:\n${tail()}`));
            }, timeoutMs);
            lineListeners.add(onLine);
            // A dead process will never print the line; fail fast with its output.
            void exited.then((info) => {
              if (!lineListeners.has(onLine)) return;
              // Let buffered output flush first: the match may be in the last chunk.
              setTimeout(() => {
                if (!lineListeners.has(onLine)) return;
                cleanup();
                rej(
                  new Error(
                    `${name}[${pid}] exited (code=${info.code} signal=${info.signal}) before printing ${re}. Output:\n${tail()}`,
                  ),
                );
              }, 50);
            });
          });
        },
        stop(signal = 'SIGTERM', graceMs = 3_000) {
          // Idempotent: concurrent stop() calls share one escalation sequence.
          stopping ??= (async () => {
            if (exitInfo) return exitInfo;
            const send = (sig: NodeJS.Signals): void => {
              try {
                process.kill(pid, sig);
              } catch {
                /* exited between our check and the kill */
              }
            };
            send(signal);
            const timer = setTimeout(() => send('SIGKILL'), graceMs);
            const info = await exited;
            clearTimeout(timer);
            return info;
          })();
          return stopping;
        },
      };
      registry.add(proc);
      void exited.then(() => registry.delete(proc));
      resolve(proc);
    });
  });
}

/** Convenience wrapper: waitForLine on an existing process. */
export function waitForLine(proc: ManagedProcess, re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray> {
  return proc.waitForLine(re, timeoutMs);
}

export interface RunOptions extends SpawnOptions {
  /** Kill the command (SIGTERM, then SIGKILL) after this long. Default 30 s. */
  timeoutMs?: number;
}

export interface RunResult extends ExitInfo {
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Run a short-lived command to completion, capturing full stdout/stderr.
 * Never rejects on a non-zero exit: callers such as auth tests need the code.
 */
export async function runProcess(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const proc = await spawnProcess(cmd, args, {
    ...opts,
    onData: (which, chunk) => {
      if (which === 'stdout') stdout += chunk;
      else stderr += chunk;
      opts.onData?.(which, chunk);
    },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void proc.stop('SIGTERM', 1_000);
  }, opts.timeoutMs ?? 30_000);
  const info = await proc.exited;
  clearTimeout(timer);
  // Wait for the pipes to drain, but not forever: a grandchild that inherited
  // them could keep them open after the command itself is gone.
  await Promise.race([proc.closed, sleep(2_000)]);
  return { ...info, stdout, stderr, timedOut };
}

/** Like runProcess but rejects (with output) unless the command exits 0. */
export async function runChecked(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await runProcess(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (code=${r.code} signal=${r.signal}${r.timedOut ? ', timed out' : ''})\n${r.stderr || r.stdout}`,
    );
  }
  return r;
}
