import type { SecretRegistry } from '../core/logger.js';
import type { Config } from './schema.js';

/** Register every secret the config holds so no log line can carry it. */
export function registerConfigSecrets(config: Config, secrets: SecretRegistry): void {
  for (const cam of config.cameras) {
    secrets.add(cam.onvif?.password);
    secrets.add(cam.vendor?.password);
    for (const url of [cam.rtsp?.main, cam.rtsp?.sub]) {
      if (!url) continue;
      try {
        const parsed = new URL(url);
        secrets.add(decodeURIComponent(parsed.password));
      } catch {
        // An unparsable URL was already rejected by the schema; nothing to register.
      }
    }
  }
  secrets.add(config.mqtt?.password);
  secrets.add(config.platform?.token);
}
