// Seeded randomness for the fault suite: every run prints its seed, and CLIPGATE_FAULT_SEED=N
// replays the same choices (kill moments, approvals, failures) for a failing run.

/** mulberry32: small, fast, good enough to pick kill moments; not for anything secret. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  seed: number;
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T | undefined;
}

export function seededRng(label: string): Rng {
  const fromEnv = Number(process.env.CLIPGATE_FAULT_SEED);
  const seed = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
  process.stdout.write(`[fault] ${label}: seed ${seed} (replay with CLIPGATE_FAULT_SEED=${seed})\n`);
  const next = mulberry32(seed);
  return {
    seed,
    next,
    between: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}
