import { describe, expect, it } from 'vitest';
import { createLogger, maskUrlCredentials, SecretRegistry } from '../../../src/core/logger.js';
import { registerConfigSecrets } from '../../../src/config/secrets.js';
import { parseConfigText } from '../../../src/config/load.js';

describe('logger redaction', () => {
  it('masks credentials inside URLs', () => {
    expect(maskUrlCredentials('open rtsp://admin:hunter2@10.0.0.5:554/x failed')).toBe('open rtsp://admin:***@10.0.0.5:554/x failed');
    expect(maskUrlCredentials('mqtts://u:p%40ss@broker')).toBe('mqtts://u:***@broker');
  });

  it('never writes configured secrets, wherever they appear', () => {
    const text = [
      'cameras: [{id: a, rtsp: {main: "rtsp://admin:hunter2@192.0.2.1/stream"}}, {id: b, onvif: {host: h, username: u, password: "camPass99"}}]',
      'mqtt: {url: "mqtt://127.0.0.1", password: "brokerPw42"}',
      'platform: {url: "https://p.example", token: "tok_ABCDEF123456"}',
    ].join('\n');
    const r = parseConfigText(text, {});
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const secrets = new SecretRegistry();
    registerConfigSecrets(r.config, secrets);
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', secrets, write: (l) => lines.push(l) });
    log.info({ config: r.config }, 'loaded config');
    log.error({ err: new Error('auth failed for tok_ABCDEF123456 with hunter2') }, 'platform said no camPass99');
    log.child({ module: 'recorder' }).warn('ffmpeg: rtsp://admin:hunter2@192.0.2.1/stream: 401 brokerPw42');
    log.info({ password: 'plain', headers: { authorization: 'Bearer zzz' } }, 'x');
    const all = lines.join('');
    expect(lines).toHaveLength(4);
    for (const s of ['hunter2', 'tok_ABCDEF123456', 'camPass99', 'brokerPw42', 'Bearer zzz', '"plain"']) {
      expect(all).not.toContain(s);
    }
    expect(all).toContain('rtsp://admin:***@192.0.2.1/stream');
  });
});
