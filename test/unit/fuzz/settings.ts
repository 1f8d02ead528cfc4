import fc from 'fast-check';

/**
 * Every property runs with a fixed seed so CI is reproducible; FC_SEED=<integer> replays another
 * run (a failure prints the seed and the counterexample path to replay it).
 */
function seedFromEnv(): number {
  const raw = process.env.FC_SEED;
  if (raw === undefined || raw === '') return 1129;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${raw}"`);
  return seed;
}

export const FUZZ_SEED = seedFromEnv();

/** Run a property `numRuns` times and print how many runs it made, so the count shows in CI logs. */
export function fuzz<Ts>(name: string, numRuns: number, property: fc.IProperty<Ts>): void {
  const details = fc.check(property, { seed: FUZZ_SEED, numRuns });
  if (details.failed) throw new Error(`${name}: ${fc.defaultReportMessage(details)}`);
  console.log(`fuzz: ${name}: ${details.numRuns} runs, seed ${FUZZ_SEED}`);
}
