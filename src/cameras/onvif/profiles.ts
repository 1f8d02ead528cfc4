import { AppError } from '../../core/errors.js';
import type { Credentials } from './soap.js';
import type { MediaProfile } from './device.js';

export interface ProfileChoice {
  main: MediaProfile;
  /** Undefined when the camera has a single profile. */
  sub?: MediaProfile;
}

const pixels = (p: MediaProfile): number => p.width * p.height;

/**
 * Main = highest resolution, sub = lowest (a different profile), unless the config names tokens.
 * Profiles without a video encoder (audio-only, metadata) have 0x0 and are never picked automatically.
 */
export function chooseProfiles(profiles: MediaProfile[], wanted: { main?: string; sub?: string } = {}): ProfileChoice {
  const byToken = (token: string, role: string): MediaProfile => {
    const p = profiles.find((x) => x.token === token);
    if (!p) {
      const known = profiles.map((x) => x.token).join(', ') || 'none';
      throw new AppError('CONFIG_INVALID', `camera has no media profile "${token}" for ${role} (profiles: ${known})`);
    }
    return p;
  };
  const video = profiles.filter((p) => pixels(p) > 0);
  const ordered = [...(video.length > 0 ? video : profiles)].sort((a, b) => pixels(b) - pixels(a));
  const main = wanted.main !== undefined ? byToken(wanted.main, 'main') : ordered[0];
  if (!main) throw new AppError('ONVIF_BAD_RESPONSE', 'camera reported no media profiles');
  const sub = wanted.sub !== undefined ? byToken(wanted.sub, 'sub') : [...ordered].reverse().find((p) => p.token !== main.token && pixels(p) < pixels(main));
  return sub ? { main, sub } : { main };
}

/**
 * ffmpeg needs credentials inside the RTSP URL; ONVIF stream URIs come without them. Existing
 * credentials in the URI are kept. Credentials are percent-encoded so ':' or '@' in a password
 * survive. A camera that reports 0.0.0.0 as the stream host gets the configured host.
 */
export function withCredentials(uri: string, credentials: Credentials | undefined, cameraHost: string): string {
  let u: URL;
  try {
    u = new URL(uri.trim());
  } catch {
    throw new AppError('ONVIF_BAD_RESPONSE', 'camera gave a stream URI that is not a URL');
  }
  if (u.hostname === '0.0.0.0' || u.hostname === '') u.hostname = cameraHost;
  if (credentials && u.username === '') {
    u.username = encodeURIComponent(credentials.username);
    u.password = encodeURIComponent(credentials.password);
  }
  return u.toString();
}
