// What the adversary suite measures on the running daemon while a hostile peer works on it:
// /api/health latency (polled every 100 ms from this process) and the daemon process's RSS
// (read from /proc/<pid>/status every 100 ms), both by the daemon's PID, never by name.
import { rssBytes } from '../../support/procfs.js';
import { sleep } from '../../support/wait.js';

const MB = 1024 * 1024;

export interface Measured {
  /** Slowest /api/health answer seen, in ms (a failed or timed-out poll counts as its full time). */
  healthMaxMs: number;
  healthPolls: number;
  healthFailures: number;
  /** Peak RSS during the window minus the baseline taken just before it, in MiB. */
  rssGrowthMb: number;
  baselineMb: number;
  peakMb: number;
  ms: number;
}

/** Median of a few RSS samples: one sample can land in the middle of a collection. */
export async function rssBaseline(pid: number, samples = 5, everyMs = 100): Promise<number> {
  const seen: number[] = [];
  for (let i = 0; i < samples; i++) {
    seen.push(rssBytes(pid));
    if (i < samples - 1) await sleep(everyMs);
  }
  seen.sort((a, b) => a - b);
  return seen[Math.floor(seen.length / 2)] ?? 0;
}

/**
 * Polls health and samples RSS until stop(). A health poll has a 5 s client timeout; polls are
 * sequential, so a stalled daemon shows as one long poll, not as many overlapping ones.
 */
export function startProbes(pid: number, healthUrl: string, baseline: number): { stop(): Promise<Measured> } {
  let running = true;
  let peak = baseline;
  let healthMaxMs = 0;
  let healthPolls = 0;
  let healthFailures = 0;
  const began = Date.now();
  const rss = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 100);
  const health = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const res = await fetch(healthUrl, { signal: AbortSignal.timeout(5_000) });
        await res.text();
        if (res.status !== 200) healthFailures++;
      } catch {
        healthFailures++;
      }
      const ms = performance.now() - t0;
      healthPolls++;
      healthMaxMs = Math.max(healthMaxMs, ms);
      await sleep(Math.max(0, 100 - ms));
    }
  })();
  return {
    async stop() {
      running = false;
      await health;
      clearInterval(rss);
      peak = Math.max(peak, rssBytes(pid));
      return { healthMaxMs, healthPolls, healthFailures, rssGrowthMb: (peak - baseline) / MB, baselineMb: baseline / MB, peakMb: peak / MB, ms: Date.now() - began };
    },
  };
}
