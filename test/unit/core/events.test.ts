import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';

function bus() {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', secrets: new SecretRegistry(), write: (l) => lines.push(l) });
  return { bus: new EventBus(log), lines };
}

describe('EventBus', () => {
  it('delivers typed payloads and isolates failing listeners', async () => {
    const { bus: b, lines } = bus();
    const got: string[] = [];
    b.on('a', 'doorbell.pressed', () => {
      throw new Error('boom');
    });
    b.on('b', 'doorbell.pressed', async () => Promise.reject(new Error('async boom')));
    b.on('c', 'doorbell.pressed', (p) => {
      got.push(p.cameraId);
    });
    b.emit('doorbell.pressed', { cameraId: 'front', at: '2026-01-01T00:00:00.000Z' });
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['front']);
    const errors = lines.map((l) => JSON.parse(l) as { owner: string; event: string });
    expect(errors.map((e) => e.owner).sort()).toEqual(['a', 'b']);
    expect(errors.every((e) => e.event === 'doorbell.pressed')).toBe(true);
  });

  it('off(owner) removes only that owner', () => {
    const { bus: b } = bus();
    let n = 0;
    b.on('x', 'problem.cleared', () => void n++);
    b.on('y', 'problem.cleared', () => void (n += 10));
    b.off('x');
    b.emit('problem.cleared', { id: 'p' });
    expect(n).toBe(10);
    expect(b.listenerCount('problem.cleared')).toBe(1);
  });
});
