// PullPoint subscriptions of the fake ONVIF device: create, long-poll PullMessages, Renew,
// Unsubscribe. Subscriptions live in memory and vanish on restart, like on a rebooted camera.
// Quirks: a granted lifetime shorter than asked (grantSeconds), a limit on live subscriptions
// (cameras with few slots), no PullPoint at all, and property state (motion held on) that every
// new subscription first reports with PropertyOperation="Initialized".
import * as t from './templates.js';

interface Sub {
  id: string;
  terminationMs: number;
  queue: string[];
  waiters: Set<() => void>;
}

const MAX_TERMINATION_S = 600;
const MAX_POLL_S = 60;

export interface HubOptions {
  now: () => number;
  /** Base URL put into subscription addresses (may name another host, for tests). */
  address: () => string;
  grantSeconds?: number | undefined;
  maxSubscriptions?: number | undefined;
}

/** PT20S, PT1M, PT1M30S → seconds (0 if unparsable). */
function duration(xml: string, tag: string): number {
  const m = new RegExp(`<(?:\\w+:)?${tag}>\\s*PT(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?\\s*<`).exec(xml);
  if (!m) return 0;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

type Answer = { xml: string } | { fault: string; status?: number } | undefined;

/** Property events: the camera keeps their state and reports it to each new subscription. */
const PROPERTY_DEFAULTS = (): Map<t.EventStyle, boolean> =>
  new Map<t.EventStyle, boolean>([
    ['hikvision', false],
    ['reolink-visitor', false],
  ]);

export class EventHub {
  private subs = new Map<string, Sub>();
  private next = 1;
  private waiters: (() => void)[] = [];
  private properties = PROPERTY_DEFAULTS();

  constructor(private readonly o: HubOptions) {}

  live(): number {
    this.expire();
    return this.subs.size;
  }

  /** Queue an event for every live subscription; returns how many got it. */
  emit(event: t.DoubleEvent): number {
    this.expire();
    const xml = t.notification(event, this.o.now());
    for (const sub of this.subs.values()) {
      sub.queue.push(xml);
      for (const wake of sub.waiters) wake();
    }
    return this.subs.size;
  }

  /** A property event: the new state is kept and reported as Initialized to later subscriptions. */
  emitStyle(style: t.EventStyle, on: boolean): number {
    this.properties.set(style, on);
    return this.emit(t.EVENT_STYLES[style](on));
  }

  waitForSubscription(timeoutMs: number): Promise<void> {
    if (this.live() > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`onvif double: no subscription within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Camera reboot: subscriptions and property state are gone. */
  reset(): void {
    for (const sub of this.subs.values()) for (const wake of sub.waiters) wake();
    this.subs.clear();
    this.properties = PROPERTY_DEFAULTS();
  }

  /** `gone` says the request's connection was closed (a cut long-poll): its messages stay queued. */
  async handle(op: string, url: string, body: string, gone: () => boolean): Promise<Answer> {
    if (op === 'CreatePullPointSubscription') return this.create(body);
    const sub = this.subs.get(url.split('/').pop() ?? '');
    const unknown = (): Answer => ({ fault: t.fault('wsrf-rw:ResourceUnknownFault', `unknown subscription ${url}`) });
    switch (op) {
      case 'PullMessages':
        return sub && !this.expired(sub) ? { xml: await this.pull(sub, body, gone) } : unknown();
      case 'Renew': {
        if (!sub || this.expired(sub)) return unknown();
        sub.terminationMs = this.o.now() + this.grant(duration(body, 'TerminationTime')) * 1000;
        return { xml: t.renewResponse(this.o.now(), sub.terminationMs) };
      }
      case 'Unsubscribe':
        if (!sub) return unknown();
        this.subs.delete(sub.id);
        for (const wake of sub.waiters) wake();
        return { xml: '<wsnt:UnsubscribeResponse/>' };
      default:
        return undefined;
    }
  }

  private grant(asked: number): number {
    return Math.min(asked || 60, MAX_TERMINATION_S, this.o.grantSeconds ?? Infinity);
  }

  private create(body: string): Answer {
    if (this.o.maxSubscriptions !== undefined && this.live() >= this.o.maxSubscriptions) {
      return { fault: t.fault('wsntw:SubscribeCreationFailedFault', 'Maximum number of subscriptions reached', { code: 'Receiver' }), status: 500 };
    }
    const id = `PullSubManager_${this.next++}`;
    const seconds = this.grant(duration(body, 'InitialTerminationTime'));
    // Like real cameras, a new subscription first reports the current state of each property.
    const initial = [...this.properties].map(([style, on]) => t.notification({ ...t.EVENT_STYLES[style](on), operation: 'Initialized' }, this.o.now()));
    const sub: Sub = { id, terminationMs: this.o.now() + seconds * 1000, queue: initial, waiters: new Set() };
    this.subs.set(id, sub);
    for (const w of this.waiters.splice(0)) w();
    return { xml: t.subscription(`${this.o.address()}/onvif/Events/${id}`, this.o.now(), sub.terminationMs) };
  }

  private async pull(sub: Sub, body: string, gone: () => boolean): Promise<string> {
    if (sub.queue.length === 0) {
      const seconds = Math.min(duration(body, 'Timeout') || 10, MAX_POLL_S);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          sub.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, seconds * 1000);
        sub.waiters.add(done);
      });
    }
    // A poll whose connection was cut answers nobody: leave the messages for the next poll.
    const messages = gone() ? [] : sub.queue.splice(0, 32);
    return t.pullResponse(this.o.now(), sub.terminationMs, messages);
  }

  private expired(sub: Sub): boolean {
    return this.o.now() > sub.terminationMs;
  }

  private expire(): void {
    for (const [id, sub] of this.subs) if (this.expired(sub)) this.subs.delete(id);
  }
}
