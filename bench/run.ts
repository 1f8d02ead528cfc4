import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/core/version.js';
import { apiBench } from './api.bench.js';
import { dbListBench } from './db-list.bench.js';
import { recordingBench } from './recording.bench.js';
import { uploadBench } from './upload.bench.js';
import { exportBench } from './export.bench.js';
import { xmlBench } from './xml.bench.js';
import { analysisBench } from './analysis.bench.js';
import { uiBench } from './ui.bench.js';
import { meets, type Bench, type BenchResult } from './types.js';

/** Every benchmark, in order. Each measures its figure beside a baseline in the same run. */
const BENCHES: Bench[] = [dbListBench, xmlBench, uploadBench, apiBench, uiBench, exportBench, analysisBench, recordingBench];

function ffmpegVersion(): string {
  try {
    return execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

function format(r: BenchResult): string {
  const base = r.baseline ? `  baseline ${r.baseline.name}: ${r.baseline.value}` : '';
  const ratio = r.ratio !== undefined ? `  ratio ${r.ratio.toFixed(3)}` : '';
  const target = r.target ? `  target ${r.target.of} ${r.target.op} ${r.target.value}` : '';
  const verdict = meets(r);
  const mark = verdict === undefined ? '' : verdict ? '  MET' : '  MISSED';
  return `  ${r.name}: ${r.value} ${r.unit}${base}${ratio}${target}${mark}${r.notes ? `  (${r.notes})` : ''}`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const file = path.join(packageRoot(), 'bench', 'results.json');
  // A partial run (`npm run bench -- upload`) updates its own benches and keeps the others' figures.
  const results: Record<string, BenchResult[]> = only.length > 0 && existsSync(file)
    ? ((JSON.parse(readFileSync(file, 'utf8')) as { results?: Record<string, BenchResult[]> }).results ?? {})
    : {};
  /** A bench that throws is reported and skipped; the others still run. */
  const failed: Record<string, string> = {};
  const seconds: Record<string, number> = {};
  let missed = 0;
  const began = Date.now();
  for (const bench of BENCHES) {
    // `npm run bench -- db-list` matches "db: list 50 clips" too (punctuation and spaces read as dashes).
    const slug = bench.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    if (only.length > 0 && !only.some((o) => bench.name.includes(o) || slug.includes(o))) continue;
    process.stdout.write(`${bench.name}\n`);
    const t0 = Date.now();
    try {
      const rows = await bench.run();
      results[bench.name] = rows;
      for (const r of rows) {
        process.stdout.write(format(r) + '\n');
        if (meets(r) === false) missed++;
      }
    } catch (err) {
      failed[bench.name] = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stdout.write(`  FAILED: ${failed[bench.name]}\n`);
    }
    seconds[bench.name] = Math.round((Date.now() - t0) / 100) / 10;
    process.stdout.write(`  (${seconds[bench.name]} s)\n`);
  }
  const totalSeconds = Math.round((Date.now() - began) / 1000);
  const cpus = os.cpus();
  const out = {
    at: new Date().toISOString(),
    machine: { cores: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryBytes: os.totalmem() },
    versions: { node: process.version, ffmpeg: ffmpegVersion() },
    totalSeconds,
    seconds,
    failed,
    results,
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  const nFailed = Object.keys(failed).length;
  process.stdout.write(`\nresults written to ${file}; ${missed} target(s) missed; ${nFailed} bench(es) failed; total ${totalSeconds} s\n`);
  if (nFailed > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
