import type { IncomingMessage } from 'node:http';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { Problems } from '../../core/problems.js';
import type { Service } from '../../core/service.js';
import type { EventSourceState } from '../../core/types.js';
import type { EventSourceStatus } from '../types.js';
import { sleepUnlessAborted } from '../sleep.js';
import { vendorBackoff, type Backoff } from './backoff.js';
import type { VendorDriver } from './driver.js';
import { toVendorError, VendorError } from './errors.js';
import { networkCause, openGet, type CameraEndpoint } from './http-client.js';
import { boundaryFromContentType, MultipartParser, type MultipartEvent } from './multipart.js';
import { SignalPublisher } from './signals.js';
import type { PressOptions, VendorSignal } from './state.js';
import { pollStatus } from './status-poll.js';
import { ThrottledWarnings } from './throttled-warnings.js';

export interface VendorEventSourceDeps {
  cameraId: string;
  endpoint: CameraEndpoint;
  driver: VendorDriver;
  bus: EventBus;
  log: Logger;
  clock: Clock;
  problems: Problems;
  /** Reconnect delays; exponential with jitter (1 s … 60 s) by default. */
  backoff?: Backoff;
  /** Deadline for TCP connect, the Digest round trip and the response headers. */
  connectTimeoutMs?: number;
  /** Least wait after refused credentials: Dahua and Hikvision lock the account after a few failures. */
  authRetryMs?: number;
  /** A detector with an explicit stop that never came is ended after this long. */
  maxActiveMs?: number;
  press?: Partial<PressOptions>;
  /** Told on every change of the source's state: up while the stream is open, down while it cannot be. */
  onStatus?: (status: EventSourceStatus) => void;
}

/** How a connection ended: healthy when it delivered parts or stayed open until the idle watchdog (`silent`). */
type Outcome = { healthy: boolean; silent?: boolean; error?: VendorError };

const DEFAULTS = { connectTimeoutMs: 10_000, authRetryMs: 300_000, maxActiveMs: 300_000 };

/**
 * One camera's vendor event stream (Hikvision alertStream, Dahua eventManager) as a Service:
 * it emits what the ONVIF event service emits ('motion.changed', 'doorbell.pressed') and shows
 * the problem `vendor.events.<camera>` while the camera cannot be reached.
 *
 * Reconnects: a stream that delivered parts (or stayed open and silent past the idle timeout)
 * was healthy, so the next attempt comes after the backoff's first delay; a connect that fails,
 * or a stream that drops before its first part, grows the backoff. Motion is reported off when
 * the stream is lost: the state is unknown and a stuck ON would record until maxSeconds.
 */
export class VendorEventSource implements Service {
  readonly name: string;
  /** Counters for diagnostics and tests. */
  readonly stats = { connects: 0, parts: 0, skipped: 0, heartbeats: 0, garbage: 0, peakBufferedBytes: 0 };
  private readonly problemId: string;
  private readonly publisher: SignalPublisher;
  private readonly warnings: ThrottledWarnings;
  private readonly backoff: Backoff;
  private readonly opts: typeof DEFAULTS;
  private abort: AbortController | undefined;
  private loops: Promise<void>[] = [];
  private current: EventSourceStatus;

  constructor(private readonly deps: VendorEventSourceDeps) {
    this.name = `${deps.driver.vendor}-events:${deps.cameraId}`;
    this.problemId = `vendor.events.${deps.cameraId}`;
    this.opts = {
      connectTimeoutMs: deps.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      authRetryMs: deps.authRetryMs ?? DEFAULTS.authRetryMs,
      maxActiveMs: deps.maxActiveMs ?? DEFAULTS.maxActiveMs,
    };
    const { cameraId, bus, log, clock, press } = deps;
    this.publisher = new SignalPublisher({ cameraId, vendor: deps.driver.vendor, bus, log, clock, maxActiveMs: this.opts.maxActiveMs, stats: this.stats, ...(press ? { press } : {}) });
    this.warnings = new ThrottledWarnings(log, cameraId, () => clock.now());
    this.backoff = deps.backoff ?? vendorBackoff();
    this.current = { cameraId: deps.cameraId, state: 'stopped', since: deps.clock.iso() };
  }

  /**
   * `up` from the moment the camera answers with its event stream (a silent stream is still a
   * working one), `down` while the source cannot connect or the stream broke before its first
   * part; a working stream that drops and reconnects stays `up`.
   */
  get status(): EventSourceStatus {
    return { ...this.current };
  }

  /** Returns at once: an unreachable camera must not hold up start-up. */
  async start(): Promise<void> {
    if (this.abort) return;
    this.abort = new AbortController();
    this.setState('starting');
    const signal = this.abort.signal;
    this.loops = [this.run(signal)];
    const poller = this.deps.driver.createPoller?.();
    if (!poller) return;
    const { cameraId, endpoint, log } = this.deps;
    this.loops.push(pollStatus(poller, { cameraId, endpoint, log, warnings: this.warnings, authRetryMs: this.opts.authRetryMs, onSignal: (s) => this.publisher.handle(s) }, signal));
  }

  async stop(): Promise<void> {
    this.abort?.abort(new Error('stopping'));
    await Promise.all(this.loops);
    this.loops = [];
    this.abort = undefined;
    this.publisher.stop();
    this.deps.problems.clear(this.problemId);
    this.setState('stopped');
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const outcome = await this.connectOnce(signal);
      if (signal.aborted) break;
      this.publisher.lost();
      if (outcome.healthy) this.backoff.reset();
      // A working stream that broke is worth a line; the idle watchdog on a silent camera is routine.
      if (outcome.healthy && !outcome.silent && outcome.error) this.deps.log.info({ camera: this.deps.cameraId, reason: outcome.error.message }, 'vendor event stream lost; reconnecting');
      let delay = this.backoff.next();
      if (outcome.error?.code === 'VENDOR_AUTH_FAILED') delay = Math.max(delay, this.opts.authRetryMs);
      this.deps.log.debug({ camera: this.deps.cameraId, delayMs: delay, reason: outcome.error?.message }, 'vendor event stream reconnecting');
      await sleepUnlessAborted(delay, signal);
    }
  }

  private async connectOnce(signal: AbortSignal): Promise<Outcome> {
    const { driver, endpoint, log, cameraId } = this.deps;
    this.stats.connects += 1;
    let body: IncomingMessage;
    let boundary: string;
    try {
      const res = await openGet(endpoint, driver.streamPath, { signal, timeoutMs: this.opts.connectTimeoutMs, onBasic: () => this.onBasic() });
      body = res.body;
      const type = res.headers['content-type'] ?? '';
      if (!/^\s*multipart\//i.test(type)) {
        body.destroy();
        throw new VendorError('VENDOR_BAD_RESPONSE', `camera answered "${type.slice(0, 60) || 'no content type'}" instead of an event stream at ${driver.streamPath.split('?')[0] ?? ''}`);
      }
      boundary = boundaryFromContentType(type) ?? driver.defaultBoundary;
      this.setState('up');
    } catch (err) {
      if (signal.aborted) return { healthy: false };
      return this.failed(toVendorError(err));
    }
    log.debug({ camera: cameraId, boundary }, 'vendor event stream open');
    return this.consume(body, boundary, signal);
  }

  /** Reads the stream until it ends, breaks, goes silent past the idle timeout, or the source stops. */
  private consume(body: IncomingMessage, boundary: string, signal: AbortSignal): Promise<Outcome> {
    const { driver } = this.deps;
    return new Promise((resolve) => {
      const parser = new MultipartParser({ boundary, ...driver.limits, wanted: (headers) => driver.wanted(headers) });
      let parts = 0;
      let watchdog: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (outcome: Outcome): void => {
        if (done) return;
        done = true;
        clearTimeout(watchdog);
        signal.removeEventListener('abort', onAbort);
        body.removeAllListeners('data');
        body.destroy();
        if (outcome.error && !outcome.healthy) this.raise(outcome.error);
        resolve(outcome);
      };
      const lost = (message: string): void => finish({ healthy: parts > 0, error: new VendorError('VENDOR_STREAM_LOST', message) });
      const arm = (): void => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          // Open and authenticated but silent: the camera is reachable, only the stream is stale.
          this.flowing();
          finish({ healthy: true, silent: true, error: new VendorError('VENDOR_STREAM_LOST', `no event or heartbeat for ${Math.round(driver.idleTimeoutMs / 1000)} s`) });
        }, driver.idleTimeoutMs);
      };
      const onAbort = (): void => finish({ healthy: parts > 0 });
      signal.addEventListener('abort', onAbort, { once: true });
      arm();
      body.on('data', (chunk: Buffer) => {
        let events: MultipartEvent[];
        try {
          events = parser.push(chunk);
        } catch (err) {
          lost(`${errorMessage(err)}; reconnecting`);
          return;
        }
        this.stats.peakBufferedBytes = Math.max(this.stats.peakBufferedBytes, parser.buffered);
        for (const ev of events) {
          if (ev.type === 'boundary') {
            this.deps.log.info({ camera: this.deps.cameraId, declared: ev.declared, found: ev.found }, 'camera uses another multipart boundary than it declared');
            continue;
          }
          parts += 1;
          arm();
          if (parts === 1) this.flowing();
          if (ev.type === 'part') this.handlePart(ev.headers, ev.body);
          else this.onSkipped(ev);
        }
        if (parser.ended) lost('camera closed the event stream');
      });
      body.once('end', () => lost('camera closed the event stream'));
      body.once('error', (err) => lost(`event stream dropped: ${networkCause(err)}`));
      body.once('close', () => lost('event stream connection closed'));
    });
  }

  private handlePart(headers: Record<string, string>, body: Buffer): void {
    this.stats.parts += 1;
    let signals: VendorSignal[] = [];
    try {
      signals = this.deps.driver.parse(headers, body);
    } catch (err) {
      this.deps.log.debug({ camera: this.deps.cameraId, reason: errorMessage(err) }, 'vendor parser failed');
    }
    if (signals.length === 0) {
      this.stats.garbage += 1;
      this.warnings.warn('garbage', { bytes: body.length, contentType: headers['content-type'] }, 'unreadable event part skipped');
      return;
    }
    for (const s of signals) this.publisher.handle(s);
  }

  private onSkipped(ev: Extract<MultipartEvent, { type: 'skipped' }>): void {
    this.stats.skipped += 1;
    if (ev.reason === 'unwanted') return;
    this.warnings.warn(`skipped-${ev.reason}`, { reason: ev.reason, bytes: ev.bytes, contentType: ev.contentType }, 'event part skipped');
  }

  private failed(error: VendorError): Outcome {
    this.raise(error);
    return { healthy: false, error };
  }

  private raise(error: VendorError): void {
    const { cameraId, driver } = this.deps;
    this.deps.log.warn({ camera: cameraId, code: error.code, reason: error.message }, 'vendor event stream failed');
    this.deps.problems.raise(this.problemId, 'warning', `${cameraId}: ${driver.vendor} event stream down`, `${error.code}: ${error.message}`);
    this.setState('down', `${error.code}: ${error.message}`);
  }

  private flowing(): void {
    this.setState('up');
    if (!this.deps.problems.has(this.problemId)) return;
    this.deps.log.info({ camera: this.deps.cameraId }, 'vendor events flowing again');
    this.deps.problems.clear(this.problemId);
  }

  /** Announces a change of state; a repeated `down` is announced again only when its reason changed. */
  private setState(state: EventSourceState, lastError?: string): void {
    if (this.current.state === state && this.current.lastError === lastError) return;
    const since = this.current.state === state ? this.current.since : this.deps.clock.iso();
    this.current = { cameraId: this.deps.cameraId, state, since, ...(lastError !== undefined ? { lastError } : {}) };
    this.deps.onStatus?.(this.status);
  }

  private basicWarned = false;
  private onBasic(): void {
    if (this.basicWarned) return;
    this.basicWarned = true;
    this.deps.log.warn({ camera: this.deps.cameraId }, 'camera offers only Basic auth: the password crosses the network readable; enable Digest on the camera');
  }
}
