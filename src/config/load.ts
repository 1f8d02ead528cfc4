import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { formatKeyPath, substituteEnv } from './env.js';

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export const DEFAULT_CONFIG_PATH = 'config/clipgate.yml';

/** --config wins, then $CLIPGATE_CONFIG, then config/clipgate.yml. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? (env.CLIPGATE_CONFIG || undefined) ?? DEFAULT_CONFIG_PATH;
}

/** One line per problem, `path.to.key: message`; unknown keys each at their own full path. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(`${formatKeyPath([...issue.path, key])}: unknown key`);
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      out.push(...issue.errors.flatMap((errs) => formatIssues(errs.map((e) => ({ ...e, path: [...issue.path, ...e.path] })))));
      continue;
    }
    const where = formatKeyPath(issue.path);
    out.push(`${where === '' ? '(root)' : where}: ${issue.message}`);
  }
  return [...new Set(out)];
}

/** Parse YAML text, substitute ${ENV}, validate. Every problem is reported, not only the first. */
export function parseConfigText(text: string, env: NodeJS.ProcessEnv): ConfigResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => `(yaml): ${e.message.split('\n')[0] ?? e.message}`) };
  }
  let raw: unknown;
  try {
    raw = doc.toJS() ?? {};
  } catch (err) {
    // yaml refuses alias bombs (too many aliases) here, after parsing succeeded.
    return { ok: false, errors: [`(yaml): ${err instanceof Error ? err.message : String(err)}`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: ['(root): the config file must be a YAML mapping'] };
  }
  const { value, errors: envErrors } = substituteEnv(raw, env);
  const parsed = configSchema.safeParse(value);
  const errors = [...envErrors];
  if (!parsed.success) {
    // A key whose env var is missing was replaced by undefined; don't also call it "required".
    const envPaths = new Set(envErrors.map((e) => e.slice(0, e.indexOf(':'))));
    errors.push(...formatIssues(parsed.error.issues).filter((line) => !envPaths.has(line.slice(0, line.indexOf(':')))));
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, config: parsed.data };
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv): ConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, errors: [`(file): cannot read ${file}: ${code ?? String(err)}`] };
  }
  const result = parseConfigText(text, env);
  if (result.ok) resolvePaths(result.config, path.dirname(path.resolve(file)));
  return result;
}

/**
 * Relative paths in the config are resolved against the working directory the daemon starts in
 * (what `npm start` users expect); a camera inbox likewise.
 */
function resolvePaths(config: Config, _configDir: string): void {
  config.dataDir = path.resolve(config.dataDir);
  config.cacheDir = path.resolve(config.cacheDir);
  if (config.clipsDir !== undefined) config.clipsDir = path.resolve(config.clipsDir);
  for (const cam of config.cameras) {
    if (cam.inbox) cam.inbox.path = path.resolve(cam.inbox.path);
  }
}

export function configFileExists(file: string): boolean {
  return existsSync(file);
}
