import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CameraControl, CameraView } from '../core/ports.js';
import { parseCommand, parseOnOff } from './topics.js';

export interface CommandDeps {
  log: Logger;
  cameras: CameraControl;
  prefix: string;
  /** The camera after a privacy change, so its state topics follow at once. */
  privacyChanged: (view: CameraView) => void;
}

/**
 * Runs one message from a `.../set` topic. Only privacy and trigger exist; there is no command
 * that approves, rejects, shares or deletes a clip, by design (README "Home Assistant and MQTT":
 * approval is never possible over MQTT). Bad input is logged and ignored, never thrown.
 */
export async function handleCommand(deps: CommandDeps, topic: string, payload: string, retained: boolean): Promise<void> {
  const { log, cameras } = deps;
  const command = parseCommand(deps.prefix, topic);
  if (command.kind === 'unknown') {
    log.warn({ topic, reason: command.reason }, 'ignored MQTT command');
    return;
  }
  // A retained command would be replayed by the broker on every reconnect (a new clip each time);
  // commands must be live.
  if (retained) {
    log.warn({ topic }, 'ignored retained MQTT command; publish commands without the retain flag');
    return;
  }
  if (!cameras.get(command.cameraId)) {
    log.warn({ topic, camera: command.cameraId }, 'ignored MQTT command for an unknown camera');
    return;
  }
  try {
    if (command.kind === 'privacy') await setPrivacy(deps, command.cameraId, topic, payload);
    else trigger(deps, command.cameraId, topic, payload);
  } catch (err) {
    log.warn({ topic, camera: command.cameraId, err: errorMessage(err) }, 'MQTT command failed');
  }
}

async function setPrivacy(deps: CommandDeps, cameraId: string, topic: string, payload: string): Promise<void> {
  const enabled = parseOnOff(payload);
  if (enabled === undefined) {
    deps.log.warn({ topic, payload: payload.slice(0, 40) }, 'ignored MQTT privacy command: payload must be ON or OFF');
    return;
  }
  const view = await deps.cameras.setPrivacy(cameraId, enabled);
  deps.log.info({ camera: cameraId, enabled }, 'privacy set over MQTT');
  deps.privacyChanged(view);
}

function trigger(deps: CommandDeps, cameraId: string, topic: string, payload: string): void {
  if (payload.trim().toUpperCase() !== 'PRESS') {
    deps.log.warn({ topic, payload: payload.slice(0, 40) }, 'ignored MQTT trigger command: payload must be PRESS');
    return;
  }
  const { eventId } = deps.cameras.trigger(cameraId, { trigger: 'manual' });
  deps.log.info({ camera: cameraId, eventId }, 'manual clip triggered over MQTT');
}
