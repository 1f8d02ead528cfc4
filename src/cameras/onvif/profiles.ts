import { AppError } from '../../core/errors.js';
import { urlHost, type MediaProfile } from './device.js';
import { safeText, sameHost, type Credentials } from './soap.js';

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

/** Longer stream or snapshot URIs are not something a camera should send. */
const MAX_URI_LENGTH = 2048;

export const STREAM_SCHEMES = ['rtsp:', 'rtsps:'] as const;
export const SNAPSHOT_SCHEMES = ['http:', 'https:'] as const;

export interface PinnedUri {
  url: string;
  /** The host the camera named, when it was not the configured one and was replaced. */
  reportedHost?: string;
}

/**
 * A stream or snapshot URI the camera reported, made safe to use with the owner's credentials:
 * - the host is always the configured camera host. A camera behind NAT, with two interfaces or
 *   with hostile firmware may name another host; credentials must never go there. The port,
 *   path and query are kept as reported (the RTSP port is not the ONVIF port);
 * - only the given schemes are accepted (ffmpeg would also open `file:` or playlist URLs);
 * - with `credentials`, they are put into the URL (ffmpeg needs them there), percent-encoded so
 *   ':' or '@' in a password survive; credentials already in the URI are kept.
 */
export function pinToCamera(uri: string, opts: { host: string; schemes: readonly string[]; credentials?: Credentials | undefined }): PinnedUri {
  const text = uri.trim();
  if (text.length > MAX_URI_LENGTH) throw new AppError('ONVIF_BAD_RESPONSE', `camera gave a URI of ${text.length} characters`);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new AppError('ONVIF_BAD_RESPONSE', 'camera gave a stream URI that is not a URL');
  }
  if (!opts.schemes.includes(u.protocol)) {
    throw new AppError('ONVIF_BAD_RESPONSE', `camera gave a ${safeText(u.protocol, 20)} URI where ${opts.schemes.join(' or ')} was expected`);
  }
  const out: PinnedUri = { url: '' };
  const reported = u.hostname;
  if (!sameHost(reported, opts.host)) {
    // 0.0.0.0 or an empty host is a firmware placeholder, not another machine: no need to report it.
    if (reported !== '' && reported !== '0.0.0.0') out.reportedHost = safeText(reported, 100);
    u.hostname = urlHost(opts.host);
  }
  if (opts.credentials && u.username === '') {
    u.username = encodeURIComponent(opts.credentials.username);
    u.password = encodeURIComponent(opts.credentials.password);
  }
  out.url = u.toString();
  return out;
}
