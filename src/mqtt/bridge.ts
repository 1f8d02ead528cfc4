import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { EventBus, EventName } from '../core/events.js';
import { uiLink } from '../core/links.js';
import type { Logger } from '../core/logger.js';
import type { CameraControl, CameraView, Stats } from '../core/ports.js';
import type { Problems } from '../core/problems.js';
import type { Service } from '../core/service.js';
import type { ReconnectOptions } from './reconnect.js';
import { handleCommand } from './commands.js';
import { MqttConnection } from './connection.js';
import { configFilter, discoveryMessages, type DiscoveryMessage } from './ha-discovery.js';
import { EVENT_NAMES, eventMessage, type EventLinks } from './events.js';
import { PLACEHOLDER_JPEG } from './placeholder.js';
import { onOff, topicMap, type TopicMap } from './topics.js';

export type MqttConfig = NonNullable<Config['mqtt']>;

/** Where the bridge remembers which retained topics it published, to clear the stale ones later. */
export interface RetainedStore {
  load(): string[];
  save(topics: string[]): void;
}

export interface MqttBridgeDeps {
  config: MqttConfig;
  log: Logger;
  clock: Clock;
  bus: EventBus;
  problems: Problems;
  cameras: CameraControl;
  stats: () => Stats;
  /** JPEG for the retained snapshot: the newest showable clip with privacy masks applied, or a placeholder (adapters.ts). */
  snapshot: (cameraId: string) => Promise<Buffer>;
  version: string;
  /** `web.publicUrl`: links to clips and cameras in the UI, when set. */
  publicUrl?: string;
  retained?: RetainedStore;
  backoff?: ReconnectOptions;
  /** How often free disk and counts are re-read and published when changed. Default 60 s. */
  statsIntervalMs?: number;
}

const OWNER = 'mqtt';
const RETAINED = { retain: true, qos: 1 } as const;
const LIVE = { retain: false, qos: 1 } as const;
const STATS_EVENTS = new Set<EventName>(['clip.created', 'clip.updated', 'clip.deleted', 'request.received']);

/**
 * Publishes clipgate's state and events to an MQTT broker, announces Home Assistant entities and
 * takes the two commands (privacy, trigger). Optional: a broker that is down or refuses us is a
 * visible problem and a backoff loop, never a reason for the daemon to stop.
 */
export class MqttBridge implements Service {
  readonly name = 'mqtt';
  private readonly topics: TopicMap;
  private readonly conn: MqttConnection;
  private readonly motion = new Map<string, boolean>();
  private readonly privacy = new Map<string, boolean>();
  private configTopics = new Set<string>();
  private readonly snapshotChains = new Map<string, Promise<void>>();
  /** Each camera's snapshot as last sent (a small JPEG): the same picture is not sent again until everything is re-published. */
  private readonly snapshotSent = new Map<string, Buffer>();
  private lastStats: string | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private readonly links: EventLinks;

  constructor(private readonly deps: MqttBridgeDeps) {
    const cfg = deps.config;
    this.topics = topicMap(cfg.topicPrefix);
    this.links = {
      clipUrl: (id) => uiLink(deps.publicUrl, 'clips', id),
      snapshotTopic: (cameraId) => this.topics.camera(cameraId).snapshot,
    };
    this.conn = new MqttConnection({
      log: deps.log,
      clock: deps.clock,
      problems: deps.problems,
      backoff: deps.backoff,
      options: {
        url: cfg.url,
        ...(cfg.username !== undefined && { username: cfg.username }),
        ...(cfg.password !== undefined && { password: cfg.password }),
        ...(cfg.ca !== undefined && { caFile: cfg.ca }),
        clientId: cfg.clientId ?? `clipgate-${randomBytes(4).toString('hex')}`,
        will: { topic: this.topics.status, payload: 'offline' },
      },
      onConnect: () => this.onConnect(),
      onMessage: (topic, payload, retained) => this.onMessage(topic, payload, retained),
    });
  }

  get connected(): boolean {
    return this.conn.connected;
  }

  /** Connection attempts in the last minute (bounded by the reconnect pacing; see reconnect.ts). */
  attemptsInLastMinute(): number {
    return this.conn.attemptsInLastMinute();
  }

  async start(): Promise<void> {
    this.listen();
    const every = this.deps.statsIntervalMs ?? 60_000;
    this.statsTimer = setInterval(() => this.publishStats(), every);
    // Does not wait for the broker: connecting (and failing) happens in the background.
    this.conn.start();
  }

  async stop(): Promise<void> {
    this.deps.bus.off(OWNER);
    clearInterval(this.statsTimer);
    await this.conn.stop({ topic: this.topics.status, payload: 'offline' });
  }

  /** On every (re)connect: online, subscriptions, discovery, then the CURRENT state, retained. */
  private async onConnect(): Promise<void> {
    // Know the current config topics BEFORE subscribing: retained configs arrive right after the
    // SUBACK, and a current one mistaken for stale would be deleted from HA (and its customisations).
    if (this.discoveryOn) this.discovery();
    this.conn.publish(this.topics.status, 'online', RETAINED);
    const filters = [...this.topics.commandFilters];
    if (this.discoveryOn) filters.push(this.haStatusTopic, configFilter(this.discoveryContext()));
    await this.conn.subscribe(filters);
    this.reconcileRetained();
    await this.publishAll();
  }

  private async publishAll(): Promise<void> {
    if (this.discoveryOn) for (const m of this.discovery()) this.conn.publish(m.topic, JSON.stringify(m.payload), RETAINED);
    const cameras = this.deps.cameras.list();
    for (const cam of cameras) this.publishCamera(cam);
    this.lastStats = undefined;
    this.publishStats();
    // A new connection (the broker may have lost its retained messages) or Home Assistant back: every snapshot again.
    this.snapshotSent.clear();
    await Promise.all(cameras.map((cam) => this.publishSnapshot(cam.id)));
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const text = payload.toString('utf8');
    if (topic === this.haStatusTopic) {
      // HA's birth message after it restarts: it forgot the discovered entities. A retained
      // birth message arrives on every subscribe, right after we announced anyway.
      if (!retained && text.trim() === 'online') void this.publishAll().catch((err: unknown) => this.warn('re-announce failed', err));
      return;
    }
    if (topic.endsWith('/config') && topic.startsWith(`${this.deps.config.homeAssistant.prefix}/`)) {
      // A retained config under our node id that we no longer announce (a camera removed while
      // the database was reset, for example): remove the entity from HA.
      if (retained && payload.length > 0 && !this.configTopics.has(topic)) this.clear(topic);
      return;
    }
    const deps = { log: this.deps.log, cameras: this.deps.cameras, prefix: this.topics.prefix, privacyChanged: (v: CameraView) => this.publishCamera(v) };
    void handleCommand(deps, topic, text, retained);
  }

  private listen(): void {
    const { bus } = this.deps;
    bus.on(OWNER, 'camera.status', (e) => {
      this.conn.publish(this.topics.camera(e.cameraId).status, e.status, RETAINED);
    });
    bus.on(OWNER, 'camera.events', (e) => {
      this.conn.publish(this.topics.camera(e.cameraId).eventsState, e.state, RETAINED);
    });
    // The camera told its manufacturer, model and firmware: the HA device block says so now.
    bus.on(OWNER, 'camera.device', () => {
      if (this.discoveryOn && this.conn.connected) for (const m of this.discovery()) this.conn.publish(m.topic, JSON.stringify(m.payload), RETAINED);
    });
    bus.on(OWNER, 'camera.privacy', (e) => {
      this.privacy.set(e.cameraId, e.enabled);
      this.conn.publish(this.topics.camera(e.cameraId).privacyState, onOff(e.enabled), RETAINED);
    });
    bus.on(OWNER, 'motion.changed', (e) => {
      this.motion.set(e.cameraId, e.active);
      this.conn.publish(this.topics.camera(e.cameraId).motion, onOff(e.active), RETAINED);
    });
    bus.on(OWNER, 'doorbell.pressed', (e) => {
      this.conn.publish(this.topics.camera(e.cameraId).doorbell, JSON.stringify({ event_type: 'press' }), LIVE);
    });
    bus.on(OWNER, 'clip.created', (e) => this.publishSnapshot(e.clip.cameraId));
    bus.on(OWNER, 'clip.deleted', (e) => this.publishSnapshot(e.cameraId));
    // A rejected clip's picture must leave the broker at once (invariant 6).
    bus.on(OWNER, 'clip.updated', (e) => {
      if (e.clip.status === 'rejected') return this.publishSnapshot(e.clip.cameraId);
    });
    bus.on(OWNER, 'stats.changed', (e) => this.publishStats(e));
    for (const event of EVENT_NAMES) this.forwardEvent(event);
  }

  private forwardEvent<K extends EventName>(event: K): void {
    this.deps.bus.on(OWNER, event, (payload) => {
      const message = eventMessage(event, payload, this.deps.clock.iso(), this.links);
      if (message) this.conn.publish(this.topics.events, JSON.stringify(message), LIVE);
      // These move the counts, and a stats.changed may not follow each of them.
      if (STATS_EVENTS.has(event)) this.publishStats();
    });
  }

  private publishCamera(cam: CameraView): void {
    const t = this.topics.camera(cam.id);
    this.conn.publish(t.status, cam.status, RETAINED);
    this.conn.publish(t.eventsState, cam.events?.state ?? 'none', RETAINED);
    this.conn.publish(t.motion, onOff(this.motion.get(cam.id) ?? false), RETAINED);
    this.conn.publish(t.privacyState, onOff(this.privacy.get(cam.id) ?? cam.status === 'privacy'), RETAINED);
  }

  /**
   * The newest showable clip's masked thumbnail, else the placeholder: never an empty payload,
   * never a rejected clip. One camera's publishes run one after another, each reading the
   * database when its turn comes, so a slow rendering started before a reject cannot land after it.
   * A picture the broker already holds from us (an update to a rejected clip, a delete after the
   * reject) is not sent again.
   */
  private publishSnapshot(cameraId: string): Promise<void> {
    const previous = this.snapshotChains.get(cameraId) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (!this.conn.connected) return;
      const jpeg = await this.deps.snapshot(cameraId).catch((err: unknown) => {
        this.warn('reading the snapshot failed', err, cameraId);
        return PLACEHOLDER_JPEG;
      });
      if (this.snapshotSent.get(cameraId)?.equals(jpeg)) return;
      this.conn.publish(this.topics.camera(cameraId).snapshot, jpeg, RETAINED);
      this.snapshotSent.set(cameraId, jpeg);
    });
    this.snapshotChains.set(cameraId, next);
    void next.finally(() => {
      if (this.snapshotChains.get(cameraId) === next) this.snapshotChains.delete(cameraId);
    });
    return next;
  }

  /** Publishes when the numbers changed (or after a reconnect, when lastStats was reset). */
  private publishStats(given?: Stats): void {
    if (!this.conn.connected) return;
    let stats: Stats;
    try {
      stats = given ?? this.deps.stats();
    } catch (err) {
      this.warn('reading stats failed', err);
      return;
    }
    const json = JSON.stringify({ pending: stats.pending, requests: stats.requests, diskFreeBytes: stats.diskFreeBytes });
    if (json === this.lastStats) return;
    if (this.conn.publish(this.topics.stats, json, RETAINED)) this.lastStats = json;
  }

  /** Clears every retained topic we published before and no longer own (removed cameras). */
  private reconcileRetained(): void {
    const current = this.retainedTopics();
    const store = this.deps.retained;
    if (!store) return;
    try {
      for (const topic of store.load()) if (!current.includes(topic)) this.clear(topic);
      store.save(current);
    } catch (err) {
      this.warn('remembering retained topics failed', err);
    }
  }

  private retainedTopics(): string[] {
    const t = this.topics;
    const out = [t.status, t.stats];
    for (const cam of this.deps.cameras.list()) {
      const c = t.camera(cam.id);
      out.push(c.status, c.eventsState, c.motion, c.snapshot, c.privacyState);
    }
    if (this.discoveryOn) out.push(...this.discovery().map((m) => m.topic));
    return out;
  }

  private discovery(): DiscoveryMessage[] {
    const messages = discoveryMessages(this.discoveryContext());
    this.configTopics = new Set(messages.map((m) => m.topic));
    return messages;
  }

  private discoveryContext(): Parameters<typeof discoveryMessages>[0] {
    return { discoveryPrefix: this.deps.config.homeAssistant.prefix, topics: this.topics, version: this.deps.version, cameras: this.deps.cameras.list(), publicUrl: this.deps.publicUrl };
  }

  private clear(topic: string): void {
    this.deps.log.info({ topic }, 'clearing a stale retained MQTT topic');
    this.conn.publish(topic, '', RETAINED);
  }

  private get discoveryOn(): boolean {
    return this.deps.config.homeAssistant.discovery;
  }

  private get haStatusTopic(): string {
    return `${this.deps.config.homeAssistant.prefix}/status`;
  }

  private warn(msg: string, err: unknown, camera?: string): void {
    this.deps.log.warn({ err: errorMessage(err), ...(camera !== undefined && { camera }) }, msg);
  }
}
