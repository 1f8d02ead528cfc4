import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Supervisor, type RunEnd } from '../../../src/media/supervisor.js';
import { sleep, waitUntil } from '../../support/wait.js';

describe('Supervisor', () => {
  it('restarts a child that exits, logs the reason, and stop() ends the current child by PID', async () => {
    const ends: RunEnd[] = [];
    let spawns = 0;
    const sup = new Supervisor({
      name: 't',
      log: pino({ level: 'silent' }),
      command: process.execPath,
      backoff: { initialMs: 50, maxMs: 200, healthyMs: 60_000 },
      prepare: async () => {
        spawns++;
        // First run dies at once with a message on stderr; later runs stay up.
        return spawns === 1 ? ['-e', 'console.error("boom rtsp://u:secret@h/x"); process.exit(3)'] : ['-e', 'setInterval(() => {}, 1000)'];
      },
      onEnd: (e) => ends.push(e),
    });
    sup.start();
    await waitUntil('the second run', () => spawns >= 2 && sup.pid !== undefined, 10_000, 20);
    expect(spawns).toBe(2);
    expect(ends[0]?.reason).toBe('boom rtsp://u:***@h/x');
    const pid = sup.pid ?? -1;
    await sup.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(ends).toHaveLength(1);
  });

  it('a failing prepare (camera unreachable) counts as a failed run and is retried', async () => {
    let calls = 0;
    const sup = new Supervisor({
      name: 't',
      log: pino({ level: 'silent' }),
      backoff: { initialMs: 20, maxMs: 40, healthyMs: 60_000 },
      prepare: async () => {
        calls++;
        throw new Error('no route to host');
      },
    });
    sup.start();
    await waitUntil('three failed runs', () => calls >= 3, 10_000, 20);
    await sup.stop();
    const seen = calls;
    expect(seen).toBeGreaterThanOrEqual(3);
    await sleep(150);
    expect(calls).toBe(seen);
  });
});
