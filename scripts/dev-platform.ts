#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startDevPlatform } from '../src/demo/dev-platform/server.js';


const USAGE = 'usage: node dist/scripts/dev-platform.js [--port P] [--token T] [--dir D] [--requests FILE]';

/** Standalone dev platform: prints its URL and token, runs until SIGINT/SIGTERM. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      token: { type: 'string' },
      dir: { type: 'string', default: './dev-platform-data' },
      requests: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`dev-platform: --port must be 0..65535\n${USAGE}\n`);
    return 2;
  }
  const token = values.token ?? randomBytes(16).toString('hex');
  const opts = { port, token, dir: path.resolve(values.dir) };
  const platform = await startDevPlatform(values.requests ? { ...opts, requestsFile: path.resolve(values.requests) } : opts);
  process.stdout.write(`dev platform listening: url=${platform.url} page=${platform.url.replace(/\/api$/, '/')} dir=${opts.dir}\n`);
  // The token is printed only when generated here, so a user can paste it into platform.token.
  if (!values.token) process.stdout.write(`token=${token}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await platform.stop();
  return 0;
}

// Runs only as a program; importing this file (tests, the demo) has no side effect.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`dev-platform: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
