import { ByteQueue } from './byte-queue.js';
import { findDelimiter, isBlank, leadingBlanks, LF, MAX_DELIMITER_TAIL, trimLineBreak, type Found } from './delimiter.js';

/**
 * Streaming parser for the endless multipart bodies that camera event APIs answer with
 * (Hikvision `alertStream`: multipart/mixed; Dahua `eventManager.cgi`: multipart/x-mixed-replace).
 *
 * Each byte is examined a bounded number of times, and memory is bounded by the limits: a part
 * body larger than `maxPartBytes` is skipped without being kept, a header block larger than
 * `maxHeaderBytes` is skipped, and when `maxSkipBytes` pass without a boundary the stream is
 * declared broken (MultipartOverflowError) so the caller reconnects.
 *
 * Quirks of real firmware this accepts (each seen in public user reports):
 * - a part is complete as soon as its Content-Length bytes have arrived: cameras send the next
 *   boundary only with the next event, so waiting for it would delay every event by up to a
 *   heartbeat interval;
 * - a Content-Length that is too large (the next boundary arrives first) ends the part there;
 * - no Content-Length at all: the part ends at the next boundary;
 * - a response header declaring one boundary while the body uses another (some Hikvision NVRs
 *   declare `myboundary` and send `--boundary`): the first delimiter-looking line is adopted;
 * - LF-only line ends, `Content-Length:9` without a space, extra blank lines between parts, and
 *   a delimiter glued to the end of the previous body.
 */
export interface MultipartLimits {
  /** Largest part body kept in memory; a larger part is skipped. */
  maxPartBytes: number;
  /** Largest header block of one part. */
  maxHeaderBytes: number;
  /** Bytes thrown away while looking for a boundary before the stream counts as broken. */
  maxSkipBytes: number;
}

export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = { maxPartBytes: 64 * 1024, maxHeaderBytes: 4 * 1024, maxSkipBytes: 1024 * 1024 };

export type PartHeaders = Record<string, string>;

export type MultipartEvent =
  | { type: 'part'; headers: PartHeaders; body: Buffer }
  | { type: 'skipped'; reason: 'oversize' | 'bad-headers' | 'unwanted'; bytes: number; contentType?: string }
  | { type: 'boundary'; declared: string; found: string };

export class MultipartOverflowError extends Error {
  constructor(readonly bytes: number) {
    super(`no multipart boundary in ${Math.round(bytes / 1024)} KB`);
    this.name = 'MultipartOverflowError';
  }
}

export interface MultipartOptions extends Partial<MultipartLimits> {
  /** Boundary from the response's Content-Type (without the leading dashes). */
  boundary: string;
  /** Parts for which this returns false are discarded unread (e.g. JPEG snapshots). */
  wanted?: (headers: PartHeaders) => boolean;
}

const BOUNDARY_LINE = /^--([\x21-\x7e]{1,70})$/;

type SkipReport = { reason: 'oversize' | 'bad-headers' | 'unwanted'; contentType?: string };

type State =
  | { kind: 'preamble'; midLine: boolean }
  | { kind: 'headers'; headers: PartHeaders; pos: number; count: number }
  | { kind: 'body'; headers: PartHeaders; length?: number; scan: number }
  | { kind: 'seek'; report?: SkipReport; remaining: number };

export function boundaryFromContentType(contentType: string | undefined): string | undefined {
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  return m?.[1] ?? m?.[2];
}

export class MultipartParser {
  private readonly limits: MultipartLimits;
  private readonly queue = new ByteQueue();
  private boundary: string;
  private delimiter: Buffer;
  private state: State = { kind: 'preamble', midLine: false };
  /** Last byte consumed (-1 at stream start): tells whether the queue front starts a line. */
  private prevByte = -1;
  /** Only blanks were consumed since a part ended by its Content-Length: a delimiter may start here without a line break. */
  private afterPart = false;
  /** Bytes thrown away since the last delimiter. */
  private discarded = 0;
  private closed = false;

  constructor(private readonly opts: MultipartOptions) {
    this.limits = {
      maxPartBytes: opts.maxPartBytes ?? DEFAULT_MULTIPART_LIMITS.maxPartBytes,
      maxHeaderBytes: opts.maxHeaderBytes ?? DEFAULT_MULTIPART_LIMITS.maxHeaderBytes,
      maxSkipBytes: opts.maxSkipBytes ?? DEFAULT_MULTIPART_LIMITS.maxSkipBytes,
    };
    this.boundary = opts.boundary;
    this.delimiter = Buffer.from(`--${opts.boundary}`, 'latin1');
  }

  /** True once the closing delimiter (`--boundary--`) was seen. */
  get ended(): boolean {
    return this.closed;
  }

  /** Bytes held right now; bounded by the limits plus one network chunk. */
  get buffered(): number {
    return this.queue.length;
  }

  /** Feed bytes; returns what they completed. Throws MultipartOverflowError when no boundary comes. */
  push(chunk: Uint8Array): MultipartEvent[] {
    const events: MultipartEvent[] = [];
    if (this.closed) return events;
    this.queue.append(chunk);
    while (!this.closed && this.step(events));
    return events;
  }

  private step(events: MultipartEvent[]): boolean {
    const st = this.state;
    switch (st.kind) {
      case 'preamble':
        return this.preamble(events, st);
      case 'headers':
        return this.headers(st);
      case 'body':
        return this.body(events, st);
      case 'seek':
        return this.seek(events, st);
    }
  }

  /** Before the first delimiter: skip lines, adopting a differently named boundary if that is what the camera sends. */
  private preamble(events: MultipartEvent[], st: Extract<State, { kind: 'preamble' }>): boolean {
    const view = this.queue.view();
    const nl = view.indexOf(LF);
    if (nl < 0) {
      if (view.length > MAX_DELIMITER_TAIL) {
        this.discard(view.length);
        st.midLine = true;
      }
      return false;
    }
    const m = st.midLine ? null : BOUNDARY_LINE.exec(view.subarray(0, nl).toString('latin1').trimEnd());
    st.midLine = false;
    if (m?.[1] === undefined) {
      this.discard(nl + 1);
      return true;
    }
    if (m[1] !== this.boundary) {
      events.push({ type: 'boundary', declared: this.boundary, found: m[1] });
      this.boundary = m[1];
      this.delimiter = Buffer.from(`--${m[1]}`, 'latin1');
    }
    this.consume(nl + 1);
    this.afterDelimiter(false);
    return true;
  }

  private headers(st: Extract<State, { kind: 'headers' }>): boolean {
    const view = this.queue.view();
    for (;;) {
      const nl = view.indexOf(LF, st.pos);
      if (nl < 0 || nl >= this.limits.maxHeaderBytes) {
        if (nl >= 0 || view.length >= this.limits.maxHeaderBytes) {
          this.state = { kind: 'seek', report: { reason: 'bad-headers' }, remaining: 0 };
          return true;
        }
        return false;
      }
      const line = view.subarray(st.pos, nl).toString('latin1').replace(/\r$/, '');
      st.pos = nl + 1;
      if (line.trim() === '') {
        this.consume(st.pos);
        this.startBody(st.headers);
        return true;
      }
      if (st.count === 0 && this.isDelimiterText(line)) {
        // An empty part: this line already is the next delimiter.
        this.consume(st.pos);
        this.afterDelimiter(line.trimEnd().endsWith(`--${this.boundary}--`));
        return true;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) {
        this.state = { kind: 'seek', report: { reason: 'bad-headers' }, remaining: 0 };
        return true;
      }
      st.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      st.count += 1;
    }
  }

  private isDelimiterText(line: string): boolean {
    const t = line.trimEnd();
    return t === `--${this.boundary}` || t === `--${this.boundary}--`;
  }

  private startBody(headers: PartHeaders): void {
    const raw = headers['content-length'];
    const length = raw !== undefined && /^\d{1,12}$/.test(raw) ? Number(raw) : undefined;
    const contentType = headers['content-type'];
    if (this.opts.wanted && !this.opts.wanted(headers)) {
      this.state = { kind: 'seek', report: report('unwanted', contentType), remaining: length ?? 0 };
    } else if (length !== undefined && length > this.limits.maxPartBytes) {
      this.state = { kind: 'seek', report: report('oversize', contentType), remaining: length };
    } else {
      this.state = { kind: 'body', headers, scan: 0, ...(length === undefined ? {} : { length }) };
    }
  }

  private body(events: MultipartEvent[], st: Extract<State, { kind: 'body' }>): boolean {
    const len = this.queue.length;
    // A delimiter inside the part ends it: parts without Content-Length, or with one too large.
    const limit = st.length === undefined ? len : Math.min(len, st.length);
    const found = this.findDelimiter(st.scan, limit);
    if (found.kind === 'found') {
      const body = Buffer.from(trimLineBreak(this.queue.view().subarray(0, found.at)));
      events.push({ type: 'part', headers: st.headers, body });
      this.consume(found.next);
      this.afterDelimiter(found.close);
      return true;
    }
    if (found.kind === 'more') {
      st.scan = found.at;
      return false;
    }
    if (st.length !== undefined && len >= st.length) {
      const body = this.queue.take(st.length);
      if (body.length > 0) this.prevByte = body[body.length - 1] ?? this.prevByte;
      events.push({ type: 'part', headers: st.headers, body });
      this.afterPart = true;
      this.discarded = 0;
      this.state = { kind: 'seek', remaining: 0 };
      return true;
    }
    if (st.length === undefined && len > this.limits.maxPartBytes) {
      this.state = { kind: 'seek', report: report('oversize', st.headers['content-type']), remaining: 0 };
      return true;
    }
    st.scan = Math.max(0, limit - this.delimiter.length);
    return false;
  }

  /** Throw bytes away up to the next delimiter: after a finished part, or through a skipped one. */
  private seek(events: MultipartEvent[], st: Extract<State, { kind: 'seek' }>): boolean {
    if (st.remaining > 0) {
      const n = Math.min(st.remaining, this.queue.length);
      this.discard(n);
      st.remaining -= n;
      if (st.remaining > 0) return false;
      // The skipped part ended by its Content-Length: the delimiter may follow without a line break.
      this.afterPart = true;
    }
    if (this.afterPart) {
      // Blank lines after a part are expected; the delimiter may follow them without a line break of its own.
      const blanks = leadingBlanks(this.queue.view());
      this.discard(blanks);
      if (this.queue.length === 0) return false;
    }
    const found = this.findDelimiter(0, this.queue.length);
    if (found.kind === 'found') {
      this.discard(found.at);
      if (st.report) events.push({ type: 'skipped', ...st.report, bytes: this.discarded });
      this.consume(found.next - found.at);
      this.afterDelimiter(found.close);
      return true;
    }
    // Keep only what may hold the start of a delimiter split across chunks.
    const keepFrom = found.kind === 'more' ? found.at : Math.max(0, this.queue.length - this.delimiter.length);
    this.discard(keepFrom);
    return false;
  }

  private afterDelimiter(close: boolean): void {
    this.discarded = 0;
    this.afterPart = false;
    this.state = { kind: 'headers', headers: {}, pos: 0, count: 0 };
    if (close) {
      this.closed = true;
      this.queue.clear();
    }
  }

  /** First delimiter line starting in [from, limit) of the queued bytes. */
  private findDelimiter(from: number, limit: number): Found {
    // The queue front starts a line after a line break, at the stream start, or right after a part ended by its length.
    const frontStartsLine = this.prevByte === LF || this.prevByte === -1 || this.afterPart;
    return findDelimiter(this.queue.view(), this.delimiter, from, limit, frontStartsLine);
  }

  private consume(n: number): void {
    if (n <= 0) return;
    this.prevByte = this.queue.at(n - 1);
    this.queue.consume(n);
  }

  private discard(n: number): void {
    if (n <= 0) return;
    if (this.afterPart && !isBlank(this.queue.view(), 0, n)) this.afterPart = false;
    this.consume(n);
    this.discarded += n;
    if (this.discarded > this.limits.maxSkipBytes) throw new MultipartOverflowError(this.discarded);
  }
}

function report(reason: SkipReport['reason'], contentType: string | undefined): SkipReport {
  return contentType === undefined ? { reason } : { reason, contentType };
}
