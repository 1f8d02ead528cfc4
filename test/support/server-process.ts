// One long-running server process on a loopback port (the Mosquitto broker, the RTSP test camera):
// ready once it has printed the line it prints after binding its listener and the port answers;
// started again on a fresh port when another worker took the free one first; stopped by PID,
// and only counted as stopped once its port is closed, so a restart never races the old socket.
import { freePort, waitForPort, waitForPortClosed } from './net.js';
import type { ManagedProcess } from './proc.js';

const HOST = '127.0.0.1';
const ATTEMPTS = 3;

export interface ServerProcessSpec {
  /** Name in error messages ("mosquitto", "rtsp camera"). */
  label: string;
  /** Fixed port (no retry on another one); default is a free loopback port. */
  port?: number;
  /** Runs once for each port tried, before its first launch (e.g. writes a config naming the port). */
  prepare?: (port: number) => Promise<void>;
  /** Starts the process that serves on `port` (with proc.ts's spawnProcess). */
  spawn: (port: number) => Promise<ManagedProcess>;
  /** The line the server prints once its listener is bound; an early exit means the port was taken. */
  ready: RegExp;
  readyTimeoutMs: number;
}

export interface ServerProcess {
  readonly host: string;
  readonly port: number;
  /** PID of the current process (changes after restart()). */
  readonly pid: number;
  /** Trailing output of the current process, for assertion messages. */
  logs(): string;
  /** SIGTERM (SIGKILL after 3 s), then wait until the port is closed. Idempotent. */
  stop(): Promise<void>;
  /** Stop and start again on the same port. */
  restart(): Promise<void>;
}

export async function startServerProcess(spec: ServerProcessSpec): Promise<ServerProcess> {
  let proc: ManagedProcess | null = null;
  let port = 0;
  const launch = async (): Promise<void> => {
    const p = await spec.spawn(port);
    proc = p;
    try {
      await p.waitForLine(spec.ready, spec.readyTimeoutMs);
      await waitForPort(port, HOST, 5_000, () => p.running);
    } catch (err) {
      await p.stop('SIGKILL');
      proc = null;
      throw err;
    }
  };
  const halt = async (): Promise<void> => {
    if (!proc) return;
    await proc.stop('SIGTERM', 3_000);
    proc = null;
    await waitForPortClosed(port, HOST);
  };

  // freePort() can race with other workers; with an unpinned port, retry on a fresh one.
  for (let attempt = 1; ; attempt++) {
    port = spec.port ?? (await freePort());
    await spec.prepare?.(port);
    try {
      await launch();
      break;
    } catch (err) {
      if (spec.port !== undefined || attempt >= ATTEMPTS) throw err;
    }
  }

  let stopped = false;
  return {
    host: HOST,
    port,
    get pid() {
      if (!proc) throw new Error(`${spec.label} is not running`);
      return proc.pid;
    },
    logs: () => proc?.tail(100) ?? '',
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
    },
    async restart() {
      if (stopped) throw new Error(`${spec.label}: restart() after stop()`);
      await halt();
      await launch();
    },
  };
}
