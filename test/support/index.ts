// Integration-test support: real brokers, cameras and probes on loopback ports, and the shared
// waiting, /proc and core fixtures.
export * from './net.js';
export * from './tmp.js';
export * from './proc.js';
export * from './mosquitto.js';
export * from './rtsp-camera.js';
export * from './ffprobe.js';
export * from './wait.js';
export * from './procfs.js';
export * from './core.js';
export * from './tmpfs.js';
