// `clipgate discover` against the fake device's WS-Discovery responder on a loopback UDP port.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { probe } from '../../../src/cameras/onvif/ws-discovery.js';
import { runCli } from '../../../src/cli/index.js';
import type { Io } from '../../../src/cli/context.js';
import { startOnvifDouble, type OnvifDouble } from '../../support/onvif-double/index.js';

let double: OnvifDouble | undefined;
afterEach(async () => {
  await double?.stop();
  double = undefined;
});

function io(env: NodeJS.ProcessEnv = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), stdin: process.stdin, env, cwd: process.cwd(), stdout, stderr };
}

describe('clipgate discover', () => {
  it('finds the double by unicast probe and prints name, model, profiles, streams and a config snippet', async () => {
    double = await startOnvifDouble({ username: 'admin', password: 'secret-pass-1', name: 'Front Door', streams: { main: 'rtsp://127.0.0.1:8554/main', sub: 'rtsp://127.0.0.1:8554/sub' } });
    const out = io({ CLIPGATE_ONVIF_PASSWORD: 'secret-pass-1' });
    const code = await runCli(['discover', '--target', '127.0.0.1', '--port', String(double.discoveryPort), '--timeout', '1.5', '--username', 'admin'], out);
    const text = out.stdout.join('\n');
    expect(code, text + out.stderr.join('\n')).toBe(0);
    expect(text).toContain('device 1: 127.0.0.1');
    expect(text).toContain('name:      Front Door');
    expect(text).toContain('model:     Reolink Video Doorbell PoE');
    expect(text).toContain(`service:   http://127.0.0.1:${double.port}/onvif/device_service`);
    expect(text).toMatch(/profile: {3}Profile_main "mainStream" 1920x1080 H264 \(main\)/);
    expect(text).toMatch(/profile: {3}Profile_sub "subStream" 640x360 H264 \(sub\)/);
    expect(text).toContain('stream:  rtsp://127.0.0.1:8554/main');
    expect(text).toContain('- id: front-door');
    expect(text).toContain(`onvif: { host: "127.0.0.1", port: ${double.port}, username: "admin", password: "\${FRONT_DOOR_PASSWORD}" }`);
    // The password never appears in the output.
    expect(text).not.toContain('secret-pass-1');
  });

  it('garbage UDP replies before the real one are ignored, never a crash', async () => {
    double = await startOnvifDouble({ name: 'Porch' });
    double.discoveryGarbage = true;
    const ignored: string[] = [];
    const devices = await probe({ target: '127.0.0.1', port: double.discoveryPort, timeoutMs: 1_000, onIgnored: (_from, reason) => ignored.push(reason) });
    expect(devices.map((d) => d.name)).toEqual(['Porch']);
    expect(ignored.length).toBe(5);
    const out = io();
    expect(await runCli(['discover', '--target', '127.0.0.1', '--port', String(double.discoveryPort), '--timeout', '1', '--verbose'], out)).toBe(0);
    expect(out.stderr.filter((l) => l.startsWith('ignored a reply from 127.0.0.1'))).toHaveLength(5);
    expect(out.stdout.join('\n')).toContain('name:      Porch');
  });

  it('only garbage, or nobody answering → exit 1 with a hint; a bad --timeout is a usage error', async () => {
    const liar = dgram.createSocket('udp4');
    liar.on('message', (_m, rinfo) => liar.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), rinfo.port, rinfo.address));
    await new Promise<void>((r) => liar.bind(0, '127.0.0.1', () => r()));
    try {
      const out = io();
      expect(await runCli(['discover', '--target', '127.0.0.1', '--port', String(liar.address().port), '--timeout', '0.5'], out)).toBe(1);
      expect(out.stdout.join('\n')).toContain('no ONVIF devices answered');
    } finally {
      liar.close();
    }
    const bad = io();
    expect(await runCli(['discover', '--timeout', 'soon'], bad)).toBe(2);
    expect(bad.stderr.join('\n')).toContain('--timeout must be');
  });
});
