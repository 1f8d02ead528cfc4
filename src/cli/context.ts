import path from 'node:path';
import { demoConfig } from '../config/demo.js';
import { configFileExists, loadConfigFile, resolveConfigPath, DEFAULT_CONFIG_PATH } from '../config/load.js';
import type { Config } from '../config/schema.js';

/** Where a command writes; tests pass collectors instead of the real streams. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const processIo = (): Io => ({
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});

export type LoadedConfig = { ok: true; config: Config; demo: boolean; file: string } | { ok: false };

/**
 * Config for any command: an explicit --config or $CLIPGATE_CONFIG must exist; only when the
 * default path is absent does clipgate fall back to the built-in demo config.
 */
export function loadConfigForCommand(flag: string | undefined, io: Io): LoadedConfig {
  const file = resolveConfigPath(flag, io.env);
  const explicit = flag !== undefined || Boolean(io.env.CLIPGATE_CONFIG);
  const absolute = path.resolve(io.cwd, file);
  if (!configFileExists(absolute)) {
    if (explicit || file !== DEFAULT_CONFIG_PATH) {
      io.err(`clipgate: config file not found: ${absolute}`);
      return { ok: false };
    }
    return { ok: true, config: demoConfig(io.cwd), demo: true, file: absolute };
  }
  const result = loadConfigFile(absolute, io.env);
  if (!result.ok) {
    io.err(`clipgate: invalid config ${absolute}:`);
    for (const line of result.errors) io.err(line);
    return { ok: false };
  }
  return { ok: true, config: result.config, demo: false, file: absolute };
}
