import { describe, expect, it } from 'vitest';
import { prettyLine, resolveLogFormat, useColour } from '../../../src/core/log-format.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';

/** 12:34:56.789 local time on 2026-11-29, whatever the machine's time zone. */
const AT = new Date(2026, 10, 29, 12, 34, 56, 789).toISOString();
const plain = { colour: false, debug: false };

describe('prettyLine', () => {
  it.each([
    [{ level: 30, time: AT, name: 'clipgate', module: 'web', msg: 'web server listening', port: 8080, url: 'http://0.0.0.0:8080/' },
      '12:34:56.789 INFO  web web server listening port=8080 url=http://0.0.0.0:8080/\n'],
    [{ level: 40, time: AT, module: 'cameras', camera: 'front-door', msg: 'ffmpeg', part: 'recorder', ffmpeg: 'Connection refused' },
      '12:34:56.789 WARN  cameras/front-door ffmpeg part=recorder ffmpeg="Connection refused"\n'],
    [{ level: 30, time: AT, name: 'clipgate', msg: 'clipgate started', demo: false, services: ['web', 'ledger'] },
      '12:34:56.789 INFO  clipgate clipgate started demo=false services=["web","ledger"]\n'],
    [{ level: 20, time: AT, module: 'web', msg: 'request', req: { method: 'GET', url: '/api/clips' }, caption: '' },
      '12:34:56.789 DEBUG web request req.method=GET req.url=/api/clips caption=""\n'],
    [{ level: 60, time: AT, module: 'db', msg: 'no disk', deep: { a: { b: 1 } } }, '12:34:56.789 FATAL db no disk deep.a={"b":1}\n'],
  ])('%j', (record, line) => {
    expect(prettyLine(record, plain)).toBe(line);
  });

  it('an error shows its message and code; its first stack frame only at debug', () => {
    const err = { type: 'AppError', message: 'cannot reach the platform', code: 'PLATFORM_UNREACHABLE', stack: 'AppError: cannot reach the platform\n    at poll (/app/dist/src/upload/requests.js:42:11)\n    at next (x.js:1:1)' };
    const record = { level: 50, time: AT, module: 'jobs', msg: 'job failed', err, job: 'platform.pollRequests' };
    expect(prettyLine(record, plain)).toBe('12:34:56.789 ERROR jobs job failed err="cannot reach the platform" code=PLATFORM_UNREACHABLE job=platform.pollRequests\n');
    expect(prettyLine(record, { colour: false, debug: true })).toContain('code=PLATFORM_UNREACHABLE at="poll (/app/dist/src/upload/requests.js:42:11)" job=');
  });

  it('a hostile peer string cannot move the cursor, recolour or reverse the terminal', () => {
    const line = prettyLine({ level: 30, time: AT, module: 'onvif', msg: 'fault \u001b[2J\u001b[31mred', fault: 'x\u001b]0;title\u0007\u202Eevil\nnext' }, plain);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(line).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(line.split('\n')).toHaveLength(2);
    expect(line).toBe('12:34:56.789 INFO  onvif fault [2J[31mred fault="x]0;titleevil next"\n');
  });

  it('cuts a long value and keeps one line', () => {
    const line = prettyLine({ level: 30, time: AT, module: 'inbox', msg: 'odd file', body: 'x'.repeat(10_000) }, plain);
    expect(line.length).toBeLessThan(400);
    expect(line).toContain('…');
  });

  it('colours the time, level, module and fields only when asked', () => {
    const record = { level: 40, time: AT, module: 'web', msg: 'slow', ms: 5 };
    expect(prettyLine(record, plain)).not.toContain('\u001b');
    expect(prettyLine(record, { colour: true, debug: false })).toBe('\u001b[2m12:34:56.789\u001b[0m \u001b[33mWARN \u001b[0m \u001b[36mweb\u001b[0m slow \u001b[2mms=5\u001b[0m\n');
  });
});

describe('format and colour choice', () => {
  it('auto is pretty on a terminal and JSON elsewhere; pretty and json are forced', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });

  it('colour only on a terminal without NO_COLOR', () => {
    expect(useColour(true, {})).toBe(true);
    expect(useColour(true, { NO_COLOR: '1' })).toBe(false);
    expect(useColour(true, { NO_COLOR: '' })).toBe(true);
    expect(useColour(false, {})).toBe(false);
  });
});

describe('pretty logger', () => {
  it('writes readable lines that never contain a registered secret, however it was quoted or cut', () => {
    const secrets = new SecretRegistry();
    for (const s of ['hunter2-cam', 'tok"en\\ABC123', 'p@ss w0rd!']) secrets.add(s);
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', secrets, format: 'pretty', colour: false, write: (l) => lines.push(l) });
    log.child({ module: 'cameras', camera: 'porch' }).warn({ url: 'rtsp://admin:hunter2-cam@10.0.0.2/x' }, 'open failed');
    log.error({ err: new Error('platform refused tok"en\\ABC123') }, 'upload failed');
    log.info({ note: `${'y'.repeat(230)}hunter2-cam`, pw: 'p@ss w0rd!', enc: encodeURIComponent('p@ss w0rd!') }, 'long');
    log.info({ password: 'plain-pw', headers: { authorization: 'Bearer zzz' } }, 'redacted paths');
    const all = lines.join('');
    expect(lines).toHaveLength(4);
    expect(all).not.toContain('{"level"');
    for (const s of ['hunter2', 'ABC123', 'w0rd', 'p%40ss', 'plain-pw', 'Bearer zzz']) expect(all).not.toContain(s);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}cameras\/porch open failed url=rtsp:\/\/admin:\*\*\*@10\.0\.0\.2\/x\n$/);
    expect(lines[1]).toMatch(/ERROR clipgate upload failed err="platform refused \*\*\*" at=/);
  });
});
