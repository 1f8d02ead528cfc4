/**
 * Where an installed npm package lives, found the way Node looks for it (the node_modules folders
 * up from here) but without going through its `exports` map: model packages are read as files, and
 * some (e.g. @vladmandic/human) export no `./package.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = path.join(dir, name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`package ${name} is not installed`);
}

export function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;
}
