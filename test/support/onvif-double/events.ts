// PullPoint subscriptions of the fake ONVIF device: create, long-poll PullMessages, Renew,
// Unsubscribe. Subscriptions live in memory and vanish on restart, like on a rebooted camera.
import * as t from './templates.js';

interface Sub {
  id: string;
  terminationMs: number;
  queue: string[];
  wake?: () => void;
}

const MAX_TERMINATION_S = 600;
const MAX_POLL_S = 60;

/** PT20S, PT1M, PT1M30S → seconds (0 if unparsable). */
function duration(xml: string, tag: string): number {
  const m = new RegExp(`<(?:\\w+:)?${tag}>\\s*PT(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?\\s*<`).exec(xml);
  if (!m) return 0;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

export class EventHub {
  private subs = new Map<string, Sub>();
  private next = 1;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly now: () => number,
    private readonly base: () => string,
  ) {}

  live(): number {
    this.expire();
    return this.subs.size;
  }

  emit(event: t.DoubleEvent): number {
    this.expire();
    const xml = t.notification(event, this.now());
    for (const sub of this.subs.values()) {
      sub.queue.push(xml);
      sub.wake?.();
    }
    return this.subs.size;
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

  reset(): void {
    for (const sub of this.subs.values()) sub.wake?.();
    this.subs.clear();
  }

  async handle(op: string, url: string, body: string): Promise<{ xml: string } | { fault: string } | undefined> {
    if (op === 'CreatePullPointSubscription') return { xml: this.create(body) };
    const sub = this.subs.get(url.split('/').pop() ?? '');
    const known = (): { fault: string } => ({ fault: t.fault('wsrf-rw:ResourceUnknownFault', `unknown subscription ${url}`) });
    switch (op) {
      case 'PullMessages':
        return sub && !this.expired(sub) ? { xml: await this.pull(sub, body) } : known();
      case 'Renew': {
        if (!sub || this.expired(sub)) return known();
        sub.terminationMs = this.now() + Math.min(duration(body, 'TerminationTime') || 60, MAX_TERMINATION_S) * 1000;
        return { xml: t.renewResponse(this.now(), sub.terminationMs) };
      }
      case 'Unsubscribe':
        if (!sub) return known();
        this.subs.delete(sub.id);
        sub.wake?.();
        return { xml: '<wsnt:UnsubscribeResponse/>' };
      default:
        return undefined;
    }
  }

  private create(body: string): string {
    const id = `PullSubManager_${this.next++}`;
    const seconds = Math.min(duration(body, 'InitialTerminationTime') || 60, MAX_TERMINATION_S);
    // Like real cameras, a new subscription first reports the current state of each property.
    const initial = [t.EVENT_STYLES.hikvision(false), t.EVENT_STYLES['reolink-visitor'](false)].map((e) => t.notification({ ...e, operation: 'Initialized' }, this.now()));
    const sub: Sub = { id, terminationMs: this.now() + seconds * 1000, queue: initial };
    this.subs.set(id, sub);
    for (const w of this.waiters.splice(0)) w();
    return t.subscription(`${this.base()}/onvif/Events/${id}`, this.now(), sub.terminationMs);
  }

  private async pull(sub: Sub, body: string): Promise<string> {
    if (sub.queue.length === 0) {
      const seconds = Math.min(duration(body, 'Timeout') || 10, MAX_POLL_S);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, seconds * 1000);
        function done(): void {
          clearTimeout(timer);
          sub.wake = undefined;
          resolve();
        }
        sub.wake = done;
      });
    }
    const messages = sub.queue.splice(0, 32);
    return t.pullResponse(this.now(), sub.terminationMs, messages);
  }

  private expired(sub: Sub): boolean {
    return this.now() > sub.terminationMs;
  }

  private expire(): void {
    for (const [id, sub] of this.subs) if (this.expired(sub)) this.subs.delete(id);
  }
}
