import { describe, expect, it } from 'vitest';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import type { CameraView } from '../../../src/core/ports.js';
import { handleCommand } from '../../../src/mqtt/commands.js';
import { FakeCameras, TWO_CAMERAS } from './fake-cameras.js';

function setup() {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', secrets: new SecretRegistry(), write: (l) => lines.push(l) });
  const cameras = new FakeCameras(TWO_CAMERAS);
  const changed: CameraView[] = [];
  const deps = { log, cameras, prefix: 'clipgate', privacyChanged: (v: CameraView) => changed.push(v) };
  return { deps, cameras, changed, lines };
}

describe('handleCommand', () => {
  it('privacy/set ON and OFF call setPrivacy and report the new state', async () => {
    const { deps, cameras, changed } = setup();
    await handleCommand(deps, 'clipgate/yard/privacy/set', 'ON', false);
    await handleCommand(deps, 'clipgate/yard/privacy/set', 'off', false);
    expect(cameras.calls).toEqual(['setPrivacy yard true', 'setPrivacy yard false']);
    expect(changed.map((v) => v.status)).toEqual(['privacy', 'online']);
  });

  it('trigger/set PRESS triggers a manual clip', async () => {
    const { deps, cameras } = setup();
    await handleCommand(deps, 'clipgate/front-door/trigger/set', 'PRESS', false);
    expect(cameras.calls).toEqual(['trigger front-door']);
  });

  it.each([
    ['clipgate/yard/privacy/set', 'maybe', false, 'payload must be ON or OFF'],
    ['clipgate/yard/trigger/set', 'ON', false, 'payload must be PRESS'],
    ['clipgate/nope/privacy/set', 'ON', false, 'unknown camera'],
    ['clipgate/yard/trigger/set', 'PRESS', true, 'retained'],
    ['clipgate/yard/approve/set', 'ON', false, 'ignored MQTT command'],
    ['clipgate/approve/set', 'c1', false, 'ignored MQTT command'],
  ])('%s %j (retained %s) is logged and ignored', async (topic, payload, retained, logged) => {
    const { deps, cameras, lines } = setup();
    await handleCommand(deps, topic, payload, retained);
    expect(cameras.calls).toEqual([]);
    expect(lines.join('\n')).toContain(logged);
  });

  it('a failing command is logged, not thrown', async () => {
    const { deps, lines } = setup();
    await handleCommand(deps, 'clipgate/yard/privacy/set', 'ON', false);
    await expect(handleCommand(deps, 'clipgate/yard/trigger/set', 'PRESS', false)).resolves.toBeUndefined();
    expect(lines.some((l) => l.includes('MQTT command failed') && l.includes('privacy mode'))).toBe(true);
  });
});
