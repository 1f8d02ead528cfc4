import type { IncomingMessage } from 'node:http';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { Problems } from '../../core/problems.js';
import type { Service } from '../../core/service.js';
import type { EventSourceState } from '../../core/types.js';
import type { EventSourceStatus } from '../types.js';
import { vendorBackoff, type Backoff } from './backoff.js';
import type { StatusPoller, VendorDriver } from './driver.js';
import { VendorError } from './errors.js';
import { getText, networkCause, openGet, type CameraEndpoint } from './http-client.js';
import { boundaryFromContentType, MultipartParser, type MultipartEvent } from './multipart.js';
import { DEFAULT_PRESS_OPTIONS, PressFilter, VendorMotionState, type PressOptions, type VendorSignal } from './state.js';

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
const POLL_TIMEOUT_MS = 3_000;
const POLL_MAX_BYTES = 8 * 1024;
const POLL_UNSUPPORTED_RETRY_MS = 600_000;
const LOG_EVERY_MS = 60_000;

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
  private readonly motion: VendorMotionState;
  private readonly presses: PressFilter;
  private readonly backoff: Backoff;
  private readonly opts: typeof DEFAULTS;
  private abort: AbortController | undefined;
  private loops: Promise<void>[] = [];
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();
  private current: EventSourceStatus;

  constructor(private readonly deps: VendorEventSourceDeps) {
    this.name = `${deps.driver.vendor}-events:${deps.cameraId}`;
    this.problemId = `vendor.events.${deps.cameraId}`;
    this.opts = {
      connectTimeoutMs: deps.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      authRetryMs: deps.authRetryMs ?? DEFAULTS.authRetryMs,
      maxActiveMs: deps.maxActiveMs ?? DEFAULTS.maxActiveMs,
    };
    const now = (): number => deps.clock.now();
    this.motion = new VendorMotionState({ maxActiveMs: this.opts.maxActiveMs }, now);
    this.presses = new PressFilter({ ...DEFAULT_PRESS_OPTIONS, ...deps.press }, now);
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
    if (poller) this.loops.push(this.poll(poller, signal));
  }

  async stop(): Promise<void> {
    this.abort?.abort(new Error('stopping'));
    await Promise.all(this.loops);
    this.loops = [];
    this.abort = undefined;
    clearTimeout(this.expiryTimer);
    this.publishMotion(this.motion.reset());
    this.presses.reset();
    this.deps.problems.clear(this.problemId);
    this.setState('stopped');
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const outcome = await this.connectOnce(signal);
      if (signal.aborted) break;
      clearTimeout(this.expiryTimer);
      this.publishMotion(this.motion.reset());
      if (outcome.healthy) this.backoff.reset();
      // A working stream that broke is worth a line; the idle watchdog on a silent camera is routine.
      if (outcome.healthy && !outcome.silent && outcome.error) this.deps.log.info({ camera: this.deps.cameraId, reason: outcome.error.message }, 'vendor event stream lost; reconnecting');
      let delay = this.backoff.next();
      if (outcome.error?.code === 'VENDOR_AUTH_FAILED') delay = Math.max(delay, this.opts.authRetryMs);
      this.deps.log.debug({ camera: this.deps.cameraId, delayMs: delay, reason: outcome.error?.message }, 'vendor event stream reconnecting');
      await sleep(delay, signal);
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
      return this.failed(asVendorError(err));
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
      this.throttled('garbage', { bytes: body.length, contentType: headers['content-type'] }, 'unreadable event part skipped');
      return;
    }
    for (const s of signals) this.handleSignal(s);
  }

  private handleSignal(s: VendorSignal): void {
    switch (s.kind) {
      case 'heartbeat':
        this.stats.heartbeats += 1;
        return;
      case 'motion':
        this.publishMotion(this.motion.apply(s));
        this.scheduleExpiry();
        return;
      case 'press':
        if (this.presses.accept(s.key)) this.deps.bus.emit('doorbell.pressed', { cameraId: this.deps.cameraId, at: this.deps.clock.iso() });
        return;
      case 'other':
        this.deps.log.debug({ camera: this.deps.cameraId, event: s.what }, 'vendor event not used');
        return;
    }
  }

  private onSkipped(ev: Extract<MultipartEvent, { type: 'skipped' }>): void {
    this.stats.skipped += 1;
    if (ev.reason === 'unwanted') return;
    this.throttled(`skipped-${ev.reason}`, { reason: ev.reason, bytes: ev.bytes, contentType: ev.contentType }, 'event part skipped');
  }

  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    const at = this.motion.nextExpiry();
    if (at === undefined) return;
    this.expiryTimer = setTimeout(() => {
      this.publishMotion(this.motion.expire());
      this.scheduleExpiry();
    }, Math.max(0, at - this.deps.clock.now()));
  }

  private publishMotion(active: boolean | undefined): void {
    if (active === undefined) return;
    const source = this.deps.driver.vendor;
    this.deps.bus.emit('motion.changed', { cameraId: this.deps.cameraId, active, source, at: this.deps.clock.iso() });
  }

  /** Polls a status document beside the stream (Hikvision doorbell call state). */
  private async poll(poller: StatusPoller, signal: AbortSignal): Promise<void> {
    const backoff = vendorBackoff({ initialMs: Math.max(poller.intervalMs, 1_000) });
    let failing = false;
    while (!signal.aborted) {
      let delay = poller.intervalMs;
      try {
        const text = await getText(this.deps.endpoint, poller.path, { signal, timeoutMs: POLL_TIMEOUT_MS, maxBytes: POLL_MAX_BYTES });
        for (const s of poller.read(text)) this.handleSignal(s);
        if (failing) this.deps.log.info({ camera: this.deps.cameraId }, 'doorbell call state readable again');
        failing = false;
        backoff.reset();
      } catch (err) {
        if (signal.aborted) break;
        poller.reset();
        const e = asVendorError(err);
        failing = true;
        if (e.httpStatus === 404 || e.httpStatus === 400) {
          delay = POLL_UNSUPPORTED_RETRY_MS;
          this.deps.log.warn({ camera: this.deps.cameraId, reason: e.message }, 'camera has no intercom call state: doorbell presses from it are not reported');
        } else {
          delay = e.code === 'VENDOR_AUTH_FAILED' ? Math.max(backoff.next(), this.opts.authRetryMs) : backoff.next();
          this.throttled('poll', { code: e.code, reason: e.message, delayMs: delay }, 'doorbell call state poll failed');
        }
      }
      await sleep(delay, signal);
    }
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

  /** Warn at most once a minute per kind, with how many were left out. */
  private throttled(kind: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.deps.clock.now();
    const last = this.lastLogged.get(kind);
    if (last && now - last.at < LOG_EVERY_MS) {
      last.suppressed += 1;
      return;
    }
    this.lastLogged.set(kind, { at: now, suppressed: 0 });
    this.deps.log.warn({ camera: this.deps.cameraId, ...fields, suppressed: last?.suppressed ?? 0 }, msg);
  }
}

function asVendorError(err: unknown): VendorError {
  return err instanceof VendorError ? err : new VendorError('VENDOR_BAD_RESPONSE', errorMessage(err));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
