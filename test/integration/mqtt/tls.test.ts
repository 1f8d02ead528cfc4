// mqtts:// with a private CA: a real mosquitto TLS listener and certificates made by openssl.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { EventBus } from '../../../src/core/events.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import { Problems } from '../../../src/core/problems.js';
import { MqttBridge, PLACEHOLDER_JPEG } from '../../../src/mqtt/index.js';
import { freePort, makeTempDir, runChecked, startMosquitto, stopAll, waitForPort, waitUntil, type TempDir } from '../../support/index.js';
import { FakeCameras, TWO_CAMERAS } from '../../unit/mqtt/fake-cameras.js';
import { Recorder } from './recorder.js';

afterAll(() => stopAll());

/** A throwaway CA and a server certificate for 127.0.0.1 signed by it. */
async function makeCerts(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const f = (n: string): string => path.join(dir, n);
  const run = (args: string[]): Promise<unknown> => runChecked('openssl', args, { timeoutMs: 30_000 });
  await run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=clipgate test CA', '-keyout', f('ca.key'), '-out', f('ca.crt')]);
  await run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr')]);
  await writeFile(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  await run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.crt')]);
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

function bridgeFor(url: string, ca?: string): { bridge: MqttBridge; problems: Problems } {
  const log = createLogger({ level: 'silent', secrets: new SecretRegistry() });
  const bus = new EventBus(log);
  const problems = new Problems({ bus, clock: systemClock });
  const bridge = new MqttBridge({
    config: { url, snapshots: 'masked', topicPrefix: 'clipgate', homeAssistant: { discovery: false, prefix: 'homeassistant' }, ...(ca !== undefined && { ca }) },
    log,
    clock: systemClock,
    bus,
    problems,
    cameras: new FakeCameras(TWO_CAMERAS),
    stats: () => ({ pending: 0, requests: 0, diskFreeBytes: 1 }),
    snapshot: async () => PLACEHOLDER_JPEG,
    version: '9.9.9',
    backoff: { initialMs: 200, maxMs: 1_000, maxAttemptsPerMinute: 10 },
  });
  return { bridge, problems };
}

describe('MqttBridge over TLS', () => {
  it('connects to an mqtts:// broker with the configured CA file, and reports a clear problem without it', async () => {
    const tmp: TempDir = await makeTempDir('cg-mqtt-tls-');
    const certs = await makeCerts(tmp.path);
    const tlsPort = await freePort();
    const broker = await startMosquitto({
      extraConfig: [`listener ${tlsPort} 127.0.0.1`, `cafile ${certs.ca}`, `certfile ${certs.cert}`, `keyfile ${certs.key}`],
    });
    const url = `mqtts://127.0.0.1:${tlsPort}`;
    const withCa = bridgeFor(url, certs.ca);
    const withoutCa = bridgeFor(url);
    try {
      await waitForPort(tlsPort);
      const rec = await Recorder.start(broker.url);
      await withCa.bridge.start();
      await rec.waitForText('clipgate/status', 'online');
      await rec.waitForText('clipgate/yard/status', 'online');
      await rec.stop();
      expect(withCa.problems.list()).toEqual([]);

      await withoutCa.bridge.start();
      await waitUntil('the broker problem', () => withoutCa.problems.has('mqtt.broker'), 20_000, 50);
      const problem = withoutCa.problems.list()[0];
      expect(problem?.summary).toBe('MQTT broker unreachable');
      expect(problem?.details).toMatch(/certificate/i);
      expect(withoutCa.bridge.connected).toBe(false);
    } finally {
      await withCa.bridge.stop();
      await withoutCa.bridge.stop();
      await broker.stop();
      await tmp.cleanup();
    }
  });
});
