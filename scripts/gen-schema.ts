import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { configSchema } from '../src/config/schema.js';
import { packageRoot } from '../src/core/version.js';
import { generateConfigDoc } from './gen-config-doc.js';

/** The JSON Schema editors use for config/clipgate.yml, generated from the zod schema. */
export function generateConfigJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  const doc = {
    ...schema,
    $id: 'https://clipgate.local/clipgate.schema.json',
    title: 'clipgate configuration',
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

export const SCHEMA_PATH = 'config/clipgate.schema.json';
export const CONFIG_DOC_PATH = 'docs/configuration.md';

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const out = path.join(packageRoot(), SCHEMA_PATH);
  writeFileSync(out, generateConfigJsonSchema());
  const doc = path.join(packageRoot(), CONFIG_DOC_PATH);
  writeFileSync(doc, generateConfigDoc());
  process.stdout.write(`wrote ${out} and ${doc}\n`);
}
