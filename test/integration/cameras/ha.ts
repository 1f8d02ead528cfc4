// Reading what Home Assistant would read, with the real mosquitto_sub: the retained discovery
// configs and state topics, and from them each entity's availability (test/support/ha-availability.ts).
import { haAvailability, type EntityAvailability } from '../../support/ha-availability.js';
import { mosquittoSub } from '../../support/mosquitto.js';

/** The retained payload of each topic (every one must have one). */
export async function retainedPayloads(url: string, topics: string[]): Promise<Map<string, string>> {
  const sub = await mosquittoSub({ url, topic: topics, count: topics.length, timeoutMs: 10_000 });
  const result = await sub.result;
  if (result.timedOut) throw new Error(`mosquitto_sub got ${result.messages.length} of ${topics.length} retained topics: ${result.lines.join('\n')}`);
  return new Map(result.messages.map((m) => [m.topic, m.payload]));
}

/** The `count` retained discovery configs under clipgate's node id, by config topic. */
export async function discoveryConfigs(url: string, count: number): Promise<Map<string, Record<string, unknown>>> {
  const sub = await mosquittoSub({ url, topic: 'homeassistant/+/clipgate/+/config', count, timeoutMs: 10_000 });
  const result = await sub.result;
  if (result.timedOut) throw new Error(`mosquitto_sub got ${result.messages.length} of ${count} discovery configs`);
  return new Map(result.messages.map((m) => [m.topic, JSON.parse(m.payload) as Record<string, unknown>]));
}

export interface AvailabilityReport {
  /** By object id (`porch_motion`, `bridge_pending_clips`). */
  byEntity: Map<string, EntityAvailability>;
  /** One line per entity, for the test output. */
  table: string;
}

/** Every announced entity's availability as Home Assistant would compute it now. */
export async function availabilityReport(url: string, configCount: number): Promise<AvailabilityReport> {
  const configs = await discoveryConfigs(url, configCount);
  const topics = new Set<string>();
  for (const c of configs.values()) for (const a of (c.availability as { topic: string }[] | undefined) ?? []) topics.add(a.topic);
  const retained = await retainedPayloads(url, [...topics]);
  const computed = await haAvailability(configs, retained);
  const byEntity = new Map([...computed].map(([topic, a]) => [topic.split('/')[3] ?? topic, a]));
  const width = Math.max(...[...byEntity.keys()].map((k) => k.length));
  const table = [...byEntity]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, a]) => `  ${id.padEnd(width)}  ${a.available ? 'available  ' : 'UNAVAILABLE'}  ${a.entries.map((e) => `${e.topic}=${e.payload ?? '∅'}${e.rendered !== e.payload ? `→${e.rendered ?? '∅'}` : ''}${e.available ? '✓' : '✗'}`).join('  ')}`)
    .join('\n');
  return { byEntity, table };
}
