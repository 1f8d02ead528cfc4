import { parseArgs } from 'node:util';
import type { Flags } from './spec.js';

export class UsageError extends Error {}

/** A declared flag as parseArgs' option, keeping the literal types its result type is inferred from. */
type Option<F extends Flags[string]> = { type: F['type'] } & (F extends { multiple: true } ? { multiple: true } : unknown) & (F extends { default: infer D } ? { default: D } : unknown);
type ParseOptions<T extends Flags> = { [K in keyof T]: Option<T[K]> };

/** node:util parseArgs over a command's declared flags, with errors turned into usage errors (exit 2). */
export function parse<T extends Flags>(argv: string[], flags: T) {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.default !== undefined ? { default: f.default } : {}) }]),
  ) as ParseOptions<T>;
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}
