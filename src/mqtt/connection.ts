import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { maskUrlCredentials, type Logger } from '../core/logger.js';
import type { Problems } from '../core/problems.js';
import { DEFAULT_RECONNECT, ReconnectPacing, type ReconnectOptions } from './reconnect.js';

export interface ConnectionOptions {
  url: string;
  username?: string;
  password?: string;
  /** CA certificate file for mqtts:// brokers with a private CA; read on every attempt. */
  caFile?: string;
  clientId: string;
  /** Published by the broker when we vanish without a clean disconnect. */
  will: { topic: string; payload: string };
}

export interface ConnectionDeps {
  log: Logger;
  clock: Clock;
  problems: Problems;
  options: ConnectionOptions;
  backoff?: ReconnectOptions;
  /** After every CONNACK: subscribe and publish the current state. */
  onConnect: () => Promise<void>;
  onMessage: (topic: string, payload: Buffer, retained: boolean) => void;
}

export interface PublishOptions {
  retain: boolean;
  qos: 0 | 1;
}

export const PROBLEM_ID = 'mqtt.broker';
const STOP_GRACE_MS = 3_000;

/** MQTT 3.1.1 CONNACK 4/5 and MQTT 5 0x86/0x87: the broker refused who we are. */
const AUTH_REFUSED = new Set([4, 5, 134, 135]);

/**
 * One broker connection, reconnecting with our own backoff instead of mqtt.js's fixed-interval
 * loop (which has no backoff and, for CONNACK refusals, either stops for good or retries every
 * period forever).
 *
 * Each attempt is a FRESH mqtt.js client with reconnectPeriod 0, and nothing is published while
 * disconnected. That is deliberate: mqtt.js queues QoS 0 publishes without bound while offline
 * (queueQoSZero defaults to true) and keeps unacknowledged QoS 1 packets in its outgoing store to
 * resend after a reconnect, so a long outage would replay a stale backlog of motion ON/OFF flips
 * and doorbell presses. Dropping the old client drops its stores; on connect the bridge publishes
 * the CURRENT state instead.
 */
export class MqttConnection {
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private lastReason: string | undefined;
  private readonly backoff: ReconnectPacing;
  private readonly url: string;

  constructor(private readonly deps: ConnectionDeps) {
    this.backoff = new ReconnectPacing(deps.backoff ?? DEFAULT_RECONNECT);
    this.url = maskUrlCredentials(deps.options.url);
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Attempts started in the last minute (the reconnect-storm bound, for diagnostics and tests). */
  attemptsInLastMinute(): number {
    return this.backoff.attemptsInLastMinute(this.deps.clock.now());
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Publish `last` (e.g. status offline) if connected, then disconnect cleanly; never throws. */
  async stop(last?: { topic: string; payload: string }): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // A broker that stopped answering (TCP still open) must not hold up the daemon's shutdown.
    const graceful = async (): Promise<void> => {
      if (client.connected && last) await client.publishAsync(last.topic, last.payload, { qos: 1, retain: true });
      await client.endAsync(false);
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS)));
    try {
      const result = await Promise.race([graceful(), timeout]);
      if (result === 'timeout') this.deps.log.warn('the MQTT broker did not answer in time; disconnecting hard');
    } catch (err) {
      this.deps.log.warn({ err: errorMessage(err) }, 'could not publish the final status');
    } finally {
      clearTimeout(timer);
      client.end(true);
    }
    this.deps.problems.clear(PROBLEM_ID);
  }

  /** Publish now, or skip when disconnected (see the class comment: no offline backlog). */
  publish(topic: string, payload: string | Buffer, opts: PublishOptions): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    client.publish(topic, payload, opts, (err) => {
      if (err) this.deps.log.debug({ err, topic }, 'publish not completed');
    });
    return true;
  }

  async subscribe(filters: string[]): Promise<void> {
    const client = this.client;
    if (!client?.connected) return;
    await client.subscribeAsync(filters, { qos: 1 });
  }

  private connect(): void {
    if (this.stopped) return;
    this.backoff.attempt(this.deps.clock.now());
    let options: IClientOptions;
    try {
      options = this.clientOptions();
    } catch (err) {
      this.failed(`cannot read the CA file: ${errorMessage(err)}`, false);
      return;
    }
    const client = connect(this.deps.options.url, options);
    this.client = client;
    let reason: { text: string; auth: boolean } | undefined;
    let wasUp = false;
    client.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      reason = { text: errorMessage(err), auth: typeof code === 'number' && AUTH_REFUSED.has(code) };
    });
    client.on('connect', () => {
      wasUp = true;
      void this.onConnected(client);
    });
    client.on('message', (topic, payload, packet) => this.deps.onMessage(topic, payload, packet.retain));
    client.once('close', () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end(true);
      this.failed(reason?.text ?? 'connection closed', reason?.auth ?? false, wasUp);
    });
  }

  private async onConnected(client: MqttClient): Promise<void> {
    this.backoff.succeeded();
    this.lastReason = undefined;
    this.deps.problems.clear(PROBLEM_ID);
    this.deps.log.info({ url: this.url }, 'connected to the MQTT broker');
    try {
      await this.deps.onConnect();
    } catch (err) {
      // A failed subscribe or publish here means the connection is going away; 'close' follows.
      if (this.client === client) this.deps.log.warn({ err }, 'publishing the state after connect failed');
    }
  }

  private failed(reason: string, auth: boolean, wasUp = false): void {
    if (this.stopped) return;
    const delay = this.backoff.failed(this.deps.clock.now());
    const summary = auth ? 'MQTT broker refused the credentials' : wasUp ? 'MQTT broker connection lost' : 'MQTT broker unreachable';
    const details = `${this.url}: ${reason}; retrying in ${Math.round(delay / 1000)} s`;
    this.deps.problems.raise(PROBLEM_ID, auth ? 'error' : 'warning', summary, details);
    // Warn when the reason changes, not on every retry of the same outage.
    const level = reason === this.lastReason ? 'debug' : 'warn';
    this.deps.log[level]({ url: this.url, reason, retryInMs: delay }, summary);
    this.lastReason = reason;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private clientOptions(): IClientOptions {
    const o = this.deps.options;
    const options: IClientOptions = {
      clientId: o.clientId,
      clean: true,
      reconnectPeriod: 0,
      // Belt and braces with "skip while disconnected": never buffer QoS 0 while offline.
      queueQoSZero: false,
      connectTimeout: 15_000,
      keepalive: 30,
      will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true },
    };
    if (o.username !== undefined) options.username = o.username;
    if (o.password !== undefined) options.password = o.password;
    if (o.caFile !== undefined) options.ca = readFileSync(o.caFile);
    return options;
  }
}
