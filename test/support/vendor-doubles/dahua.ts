// A Dahua / Amcrest / Lorex camera or doorbell as far as its event manager goes, built from
// the Amcrest HTTP API SDK ("Subscribe to Event Message": eventManager.cgi?action=attach) and
// user captures (rroller/dahua#166 multi-line data, dchesterton/amcrest2mqtt#68 AD110 button,
// rroller/dahua#52 AD410 button):
// - GET /cgi-bin/eventManager.cgi?action=attach&codes=[All]&heartbeat=N → raw
//   `multipart/x-mixed-replace; boundary=myboundary`, one text/plain part per event with
//   Content-Length, `Heartbeat` every N seconds;
// - strict like firmware: no action=attach, no codes=[...], a non-numeric heartbeat or another
//   method → 400 "Error"; other CGIs → 404; Digest with single-use nonces, 401 forever for a
//   wrong password.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { VendorDouble } from './common.js';

export interface DahuaDoubleOptions {
  username: string;
  password: string;
}

const PATH = '/cgi-bin/eventManager.cgi';

export type DahuaDoorbellModel = 'ad110' | 'ad410' | 'vto';

export class DahuaDouble extends VendorDouble {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(opts: DahuaDoubleOptions) {
    super({ username: opts.username, password: opts.password, realm: 'Login to 2J0123PAZ00001' });
  }

  /** Successful attach connections so far. */
  get connects(): number {
    return this.http.count(PATH, 200);
  }

  /** The heartbeat interval the last attach asked for, in seconds. */
  requestedHeartbeat(): number | undefined {
    const last = [...this.http.requests].reverse().find((r) => r.status === 200);
    const value = last ? new URL(last.path, 'http://camera').searchParams.get('heartbeat') : null;
    return value === null ? undefined : Number(value);
  }

  /** One event part; `data` is written the way firmware does: pretty JSON with LF line ends. Returns the write time. */
  event(code: string, action: 'Start' | 'Stop' | 'Pulse' | 'State', index = 0, data?: Record<string, unknown>): number {
    const text = `Code=${code};action=${action};index=${index}${data ? `;data=${JSON.stringify(data, null, 3).replace(/\r?\n/g, '\n')}\n` : ''}`;
    return this.part(text);
  }

  motionStart(index = 0): number {
    return this.event('VideoMotion', 'Start', index, { Id: [0], RegionName: ['Region1'], SmartMotionEnable: true });
  }

  motionStop(index = 0): number {
    return this.event('VideoMotion', 'Stop', index, { Id: [0], RegionName: ['Region1'], SmartMotionEnable: true });
  }

  crossLine(action: 'Start' | 'Stop', index = 0): number {
    return this.event('CrossLineDetection', action, index, { Name: 'Rule1', Direction: 'LeftToRight', Object: { ObjectType: 'Human' } });
  }

  /** The signals a button press produces on each model; the first write's time is returned. */
  press(model: DahuaDoorbellModel, followUpMs = 300): number {
    if (model === 'vto') return this.event('BackKeyLight', 'Pulse', 0, { State: 1 });
    if (model === 'ad110') {
      const at = this.event('_DoTalkAction_', 'Pulse', 0, { Action: 'Invite', CallID: '7@7@127.0.0.1', CallSrcMask: 4 });
      this.later(followUpMs, () => this.event('CallNoAnswered', 'Start', 0, { CallID: '1' }));
      return at;
    }
    const at = this.event('AlarmLocal', 'Start', 0);
    this.event('CallNoAnswered', 'Start', 0, { CallID: '1' });
    this.later(followUpMs, () => {
      this.event('AlarmLocal', 'Stop', 0);
      this.event('CallNoAnswered', 'Stop', 0, { CallID: '1' });
    });
    return at;
  }

  heartbeat(): number {
    return this.part('Heartbeat');
  }

  /** A well-framed part with a body no firmware would send. */
  garbagePart(): number {
    return this.http.writeAll(Buffer.concat([Buffer.from('--myboundary\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\n'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0x3c, 0x3e, 0x7b, 0x5b, 9, 9, 9, 9, 9, 9]), Buffer.from('\r\n\r\n')]));
  }

  /** A text part of `bytes` (declared, or with no length and no boundary after it). */
  oversizePart(bytes: number, declareLength = true): number {
    const head = `--myboundary\r\nContent-Type: text/plain\r\n${declareLength ? `Content-Length: ${bytes}\r\n` : ''}\r\n`;
    return this.http.writeAll(Buffer.concat([Buffer.from(head), Buffer.alloc(bytes, 0x43)]));
  }

  protected route(req: IncomingMessage, res: ServerResponse, url: URL): number {
    if (url.pathname !== PATH) return plain(res, 404, 'Error\r\nNot Found\r\n');
    const attach = req.method === 'GET' && url.searchParams.get('action') === 'attach';
    const codes = url.searchParams.get('codes');
    const heartbeat = url.searchParams.get('heartbeat');
    if (!attach || !codes || !/^\[[A-Za-z_,]+\]$/.test(codes) || (heartbeat !== null && !/^\d{1,3}$/.test(heartbeat))) return plain(res, 400, 'Error\r\nBad Request!\r\n');
    const stream = this.http.openStream(req, res, [
      'Cache-Control: no-cache',
      'Pragma: no-cache',
      'Expires: Thu, 01 Dec 2099 16:00:00 GMT',
      'Connection: close',
      'Content-Type: multipart/x-mixed-replace; boundary=myboundary',
    ]);
    if (heartbeat !== null && Number(heartbeat) > 0) this.heartbeatEvery(stream, Number(heartbeat) * 1000, () => '--myboundary\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nHeartbeat\r\n\r\n');
    return 200;
  }

  protected clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
  }

  private part(text: string): number {
    return this.http.writeAll(`--myboundary\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}\r\n\r\n`);
  }

  private later(ms: number, fn: () => void): void {
    this.timers.push(setTimeout(fn, ms));
  }
}

function plain(res: ServerResponse, status: number, body: string): number {
  res.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' });
  res.end(body);
  return status;
}

export async function startDahuaDouble(opts: DahuaDoubleOptions): Promise<DahuaDouble> {
  return new DahuaDouble(opts).listen();
}
