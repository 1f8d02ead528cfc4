// The MQTT bridge: state and events out, privacy and trigger commands in, Home Assistant discovery.
export { MqttBridge, type MqttBridgeDeps, type MqttConfig, type RetainedStore } from './bridge.js';
export { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { PROBLEM_ID as MQTT_PROBLEM_ID } from './connection.js';
export { topicMap, type TopicMap, type CameraTopics } from './topics.js';
export { discoveryMessages, nodeId } from './discovery.js';
export { lazyCameraControl, settingsRetainedStore, snapshotFromClips, statsFromRepos } from './wiring.js';
