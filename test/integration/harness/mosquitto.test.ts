// Smoke tests for the real-broker helper: if these fail, every MQTT integration
// test would fail for reasons unrelated to clipgate.
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  isPidAlive,
  mosquittoPub,
  mosquittoSub,
  startMosquitto,
  stopAll,
  type Mosquitto,
} from '../../support/index.js';

describe('startMosquitto (real broker)', () => {
  const started: Mosquitto[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((b) => b.stop()));
  });
  afterAll(() => stopAll());

  it('delivers a mosquitto_pub publish to a mosquitto_sub subscriber', async () => {
    const broker = await startMosquitto();
    started.push(broker);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);

    const sub = await mosquittoSub({ url: broker.url, topic: 'clipgate/test/#', count: 1, timeoutMs: 5_000 });
    await mosquittoPub({ url: broker.url, topic: 'clipgate/test/a', message: 'hello world' });
    const res = await sub.result;
    expect(res.timedOut).toBe(false);
    expect(res.lines).toEqual(['clipgate/test/a hello world']);
    expect(res.messages).toEqual([{ topic: 'clipgate/test/a', payload: 'hello world' }]);
  });

  it('with auth: refuses a wrong password and accepts the right one', async () => {
    const broker = await startMosquitto({ auth: { username: 'cam', password: 's3cret pass' } });
    started.push(broker);

    const anon = await mosquittoPub({ port: broker.port, topic: 't', message: 'x', allowFailure: true });
    expect(anon.code).not.toBe(0);
    const wrong = await mosquittoPub({
      port: broker.port,
      username: 'cam',
      password: 'nope',
      topic: 't',
      message: 'x',
      allowFailure: true,
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/not authori[sz]ed|refused/i);

    const creds = { port: broker.port, username: broker.username, password: broker.password };
    const sub = await mosquittoSub({ ...creds, topic: 't', count: 1, timeoutMs: 5_000 });
    await mosquittoPub({ ...creds, topic: 't', message: 'ok' });
    expect(await sub.lines()).toEqual(['t ok']);
  });

  it('a subscriber with a wrong password is rejected instead of hanging', async () => {
    const broker = await startMosquitto({ auth: { username: 'cam', password: 'pw' } });
    started.push(broker);
    await expect(
      mosquittoSub({ port: broker.port, username: 'cam', password: 'bad', topic: 't', timeoutMs: 5_000 }),
    ).rejects.toThrow(/exited|not authori/i);
  });

  it('restart() comes back on the same port with a new process', async () => {
    const broker = await startMosquitto();
    started.push(broker);
    const { port } = broker;
    const pid1 = broker.pid;
    // A client connected across the restart, as in the app's reconnect tests.
    const early = await mosquittoSub({ port, topic: 'r', count: 1, timeoutMs: 10_000 });
    await broker.restart();
    expect(broker.port).toBe(port);
    expect(broker.pid).not.toBe(pid1);
    expect(isPidAlive(pid1)).toBe(false);

    const sub = await mosquittoSub({ port, topic: 'r', count: 1, timeoutMs: 5_000 });
    await mosquittoPub({ port, topic: 'r', message: 'back' });
    expect(await sub.lines()).toEqual(['r back']);
    await early.stop();
  });

  it('fails fast (not a false start) when a pinned port is taken', async () => {
    const port = await freePort();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      await expect(startMosquitto({ port })).rejects.toThrow(/exited|in use/i);
    } finally {
      squatter.close();
    }
  });

  it('stop() leaves no process with the broker PID', async () => {
    const broker = await startMosquitto();
    const pid = broker.pid;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await broker.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await broker.stop(); // idempotent
  });

  it('mosquittoSub reports a timeout when nothing arrives', async () => {
    const broker = await startMosquitto();
    started.push(broker);
    const sub = await mosquittoSub({ port: broker.port, topic: 'silent', count: 1, timeoutMs: 1_000 });
    const res = await sub.result;
    expect(res.timedOut).toBe(true);
    expect(res.lines).toEqual([]);
  });
});
