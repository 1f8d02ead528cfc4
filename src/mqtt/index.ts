// The MQTT bridge: state and events out, privacy and trigger commands in, Home Assistant discovery.
import type { Core } from '../core/core.js';
import type { CameraControl, Stats } from '../core/ports.js';
import { version } from '../core/version.js';
import { maskedSnapshot } from '../media/snapshot.js';
import { settingsRetainedStore, snapshotFromClips } from './adapters.js';
import { MqttBridge, type MqttBridgeDeps } from './bridge.js';

export { MqttBridge, type MqttBridgeDeps, type MqttConfig, type RetainedStore } from './bridge.js';
export { DEFAULT_RECONNECT, type ReconnectOptions } from './reconnect.js';
export { PROBLEM_ID as MQTT_PROBLEM_ID } from './connection.js';
export { topicMap, type TopicMap, type CameraTopics } from './topics.js';
export { discoveryMessages, nodeId } from './ha-discovery.js';
export { settingsRetainedStore, snapshotFromClips } from './adapters.js';
export { PLACEHOLDER_JPEG } from './placeholder.js';

export interface MqttDeps {
  cameras: CameraControl;
  /** The retention module's stats service is the one source of these numbers. */
  stats: () => Stats;
  backoff?: MqttBridgeDeps['backoff'];
}

/** The bridge when the config has an `mqtt` section, else undefined (nothing is published). */
export function createMqtt(core: Core, deps: MqttDeps): MqttBridge | undefined {
  const { config, repos } = core;
  if (!config.mqtt) return undefined;
  return new MqttBridge({
    config: config.mqtt,
    log: core.log.child({ module: 'mqtt' }),
    clock: core.clock,
    bus: core.bus,
    problems: core.problems,
    cameras: deps.cameras,
    stats: deps.stats,
    snapshot: snapshotFromClips(repos.clips, core.paths.dataDir, {
      mode: config.mqtt.snapshots,
      masks: (cameraId) => config.cameras.find((c) => c.id === cameraId)?.privacyMasks ?? [],
      render: (thumb, masks) => maskedSnapshot(thumb, masks, { tmpDir: core.paths.tmp }),
      log: core.log.child({ module: 'mqtt' }),
    }),
    version: version(),
    ...(config.web.publicUrl !== undefined ? { publicUrl: config.web.publicUrl } : {}),
    retained: settingsRetainedStore(repos.settings),
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
  });
}
