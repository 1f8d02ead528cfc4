#!/usr/bin/env node
import { runCli } from './cli/index.js';
import { processIo } from './cli/context.js';

// The only place that calls process.exit: every command returns its exit code.
runCli(process.argv.slice(2), processIo()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`clipgate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
