// What Home Assistant would show as an MQTT entity's availability, computed from its discovery
// config and the retained payloads of its availability topics: each entry's payload (through its
// value_template, rendered by real Jinja2) compared with payload_available / payload_not_available,
// a topic without a message yet counting as unavailable (HA's initial state), and the entries
// combined by availability_mode (`all`, `any`, or `latest`, taken here as the last entry: clipgate
// announces more than one entry only with `all`).
import { fileURLToPath } from 'node:url';
import { runProcess } from './proc.js';
import { SYSTEM_PYTHON } from './rtsp-camera.js';

const SCRIPT = fileURLToPath(new URL('./ha_template.py', import.meta.url));

export interface AvailabilityEntry {
  topic: string;
  payload_available?: string;
  payload_not_available?: string;
  value_template?: string;
}

export interface EntityAvailability {
  available: boolean;
  /** Per entry: the topic, its retained payload, what the template made of it, and the verdict. */
  entries: { topic: string; payload: string | undefined; rendered: string | undefined; available: boolean }[];
}

/** Renders every template once (one python process for all of them). */
export async function renderHaTemplates(items: { template: string; value: string }[]): Promise<string[]> {
  if (items.length === 0) return [];
  const r = await runProcess(SYSTEM_PYTHON, [SCRIPT, JSON.stringify(items)], { name: 'ha_template', timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(`ha_template.py failed (${String(r.code)}): ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

/** Availability of each config (keyed by its discovery topic), given the retained payloads per topic. */
export async function haAvailability(configs: Map<string, Record<string, unknown>>, retained: Map<string, string>): Promise<Map<string, EntityAvailability>> {
  const jobs: { config: string; entry: AvailabilityEntry; payload: string | undefined }[] = [];
  for (const [topic, config] of configs) {
    const list = (config.availability as AvailabilityEntry[] | undefined) ?? [];
    for (const entry of list) jobs.push({ config: topic, entry, payload: retained.get(entry.topic) });
  }
  const toRender = jobs.filter((j) => j.payload !== undefined && j.entry.value_template !== undefined);
  const rendered = await renderHaTemplates(toRender.map((j) => ({ template: j.entry.value_template ?? '', value: j.payload ?? '' })));
  const renderedOf = new Map(toRender.map((j, i) => [j, rendered[i]]));
  const out = new Map<string, EntityAvailability>();
  for (const [topic, config] of configs) {
    const entries = jobs.filter((j) => j.config === topic).map((j) => {
      const result = j.payload === undefined ? undefined : j.entry.value_template !== undefined ? renderedOf.get(j) : j.payload;
      // A payload matching neither leaves HA's state as it was: unavailable, for a first message.
      const available = result !== undefined && result === (j.entry.payload_available ?? 'online');
      return { topic: j.entry.topic, payload: j.payload, rendered: result, available };
    });
    const mode = (config.availability_mode as string | undefined) ?? 'latest';
    const available = entries.length === 0 ? true : mode === 'all' ? entries.every((e) => e.available) : mode === 'any' ? entries.some((e) => e.available) : (entries.at(-1)?.available ?? false);
    out.set(topic, { available, entries });
  }
  return out;
}
