// Integration-test support: real brokers, cameras and probes on loopback ports.
export * from './ports.js';
export * from './tmp.js';
export * from './proc.js';
export * from './mosquitto.js';
export * from './rtsp-camera.js';
export * from './ffprobe.js';
