/** One measured figure, printed side by side with its baseline and target. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** value / baseline.value, or a figure compared directly to the target. */
  ratio?: number;
  target?: { op: '<=' | '>='; value: number; of: 'ratio' | 'value' };
  notes?: string;
}

export interface Bench {
  name: string;
  run(): Promise<BenchResult[]>;
}

export function meets(r: BenchResult): boolean | undefined {
  if (!r.target) return undefined;
  const x = r.target.of === 'ratio' ? r.ratio : r.value;
  if (x === undefined) return undefined;
  return r.target.op === '<=' ? x <= r.target.value : x >= r.target.value;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}
