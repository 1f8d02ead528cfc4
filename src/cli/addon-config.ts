import { open } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { addonConfig } from '../addon/options.js';
import { writeFileDurable } from '../core/durable.js';
import { usePrivateUmask } from '../core/private-files.js';
import { parse, UsageError } from './args.js';
import type { Io } from './context.js';
import type { CommandSpec } from './spec.js';

/** options.json and the MQTT answer are small; anything bigger is not what the Supervisor writes. */
const MAX_INPUT_BYTES = 1024 * 1024;

async function readBounded(what: string, read: () => Promise<Buffer>): Promise<string> {
  const buf = await read();
  if (buf.length > MAX_INPUT_BYTES) throw new UsageError(`${what} is larger than ${MAX_INPUT_BYTES} bytes`);
  return buf.toString('utf8');
}

/** At most MAX_INPUT_BYTES + 1 bytes of a file: enough to tell it is too big, never the whole of a huge one. */
async function readFile(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(MAX_INPUT_BYTES + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buf.length) break;
    }
    return buf.subarray(0, filled);
  } finally {
    await fh.close();
  }
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk);
    size += b.length;
    chunks.push(b);
    if (size > MAX_INPUT_BYTES) break;
  }
  return Buffer.concat(chunks);
}

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${what} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * `clipgate addon-config --options /data/options.json [--mqtt JSON | - | @FILE] --out FILE`: the
 * Home Assistant add-on's start script turns the add-on options and the Supervisor's MQTT service
 * into clipgate.yml. `-` reads the MQTT answer from stdin (so the password is in no process
 * listing); without --mqtt, or with an empty answer, nothing is published. Exit 1 with every
 * problem as `option: message`.
 */
export async function addonConfigCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, addonConfigSpec.flags);
  if (!values.options || !values.out) throw new UsageError('--options FILE and --out FILE are required');
  usePrivateUmask();
  const optionsFile = path.resolve(io.cwd, values.options);
  let options: unknown;
  try {
    options = parseJson(optionsFile, await readBounded(optionsFile, () => readFile(optionsFile)));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    io.err(`clipgate: cannot read ${optionsFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return 1;
  }
  let mqtt: unknown;
  if (values.mqtt !== undefined) {
    const text =
      values.mqtt === '-'
        ? await readBounded('the MQTT service answer on stdin', () => readStdin(io.stdin))
        : values.mqtt.startsWith('@')
          ? await readBounded(values.mqtt.slice(1), () => readFile(path.resolve(io.cwd, values.mqtt!.slice(1))))
          : values.mqtt;
    if (text.trim() !== '') mqtt = parseJson('the MQTT service answer', text);
  }
  const result = addonConfig(options, mqtt);
  if (!result.ok) {
    for (const line of result.errors) io.err(line);
    io.err(`${optionsFile}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}; clipgate.yml was not written`);
    return 1;
  }
  const out = path.resolve(io.cwd, values.out);
  const header = `# Written by \`clipgate addon-config\` from ${optionsFile} at every add-on start; edit the add-on's options, not this file.\n`;
  // Renamed over any older file, so the result is 0600 whatever an older one was.
  await writeFileDurable(out, header + stringify(result.config));
  const cameras = (result.config.cameras as unknown[]).length;
  io.out(`wrote ${out} (${cameras} camera${cameras === 1 ? '' : 's'}, MQTT ${result.config.mqtt ? 'on' : 'off'}, platform ${result.config.platform ? 'on' : 'off'})`);
  return 0;
}

export const addonConfigSpec = {
  name: 'addon-config',
  summary: "Home Assistant add-on: turn the add-on's options.json and the Supervisor's MQTT service answer into clipgate.yml (0600). Exit 1 listing every problem as `option: message`.",
  flags: {
    options: { type: 'string', value: 'FILE', help: "the add-on options (the Supervisor's /data/options.json)" },
    mqtt: { type: 'string', value: 'JSON|-|@FILE', help: "the Supervisor's MQTT service answer: inline JSON, - for stdin, or @FILE" },
    out: { type: 'string', value: 'FILE', help: 'where to write clipgate.yml' },
  },
  run: (argv, io) => addonConfigCommand(argv, io),
} satisfies CommandSpec;
