import { OnvifDevice } from '../cameras/onvif/device.js';
import { probe, type DiscoveredDevice } from '../cameras/onvif/ws-discovery.js';
import { chooseProfiles } from '../cameras/onvif/profiles.js';
import { errorMessage } from '../core/errors.js';
import { parse, UsageError } from './args.js';
import type { Io } from './context.js';
import { CONFIG_FLAG, type CommandSpec } from './spec.js';

export const discoverCommand = {
  name: 'discover',
  summary: 'Find ONVIF cameras with WS-Discovery (multicast, or unicast to --target) and print each one, its profiles and streams, and a ready-to-paste config entry.',
  flags: {
    ...CONFIG_FLAG,
    timeout: { type: 'string', value: 'S', help: 'seconds to wait for answers (1-120)', default: '5' },
    target: { type: 'string', value: 'HOST', help: 'probe this address only (across subnets and VLANs, where multicast does not reach)' },
    port: { type: 'string', value: 'N', help: 'WS-Discovery UDP port to probe', default: '3702' },
    username: { type: 'string', value: 'U', help: 'ONVIF user: also list profiles, stream and snapshot URIs' },
    password: { type: 'string', value: 'P', help: 'ONVIF password (visible in the process list: prefer $CLIPGATE_ONVIF_PASSWORD)' },
    verbose: { type: 'boolean', help: 'list ignored replies (not WS-Discovery, garbage) on stderr', default: false },
  },
  notes: ['environment: CLIPGATE_ONVIF_PASSWORD  the ONVIF password, kept out of the process list'],
  run: (argv, io) => discover(argv, io),
} as const satisfies CommandSpec;

/**
 * `clipgate discover [--timeout S] [--target HOST] [--port N] [--username U] [--password P]`.
 * The password may come from $CLIPGATE_ONVIF_PASSWORD instead, so it stays out of process listings.
 * --port (the WS-Discovery UDP port, default 3702) exists for tests and non-standard setups.
 */
export async function discover(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, discoverCommand.flags);
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 120) throw new UsageError('--timeout must be 0-120 seconds');
  const port = Number(values.port);
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new UsageError('--port must be 1-65535');
  const password = values.password ?? io.env.CLIPGATE_ONVIF_PASSWORD;
  const credentials = values.username !== undefined ? { username: values.username, password: password ?? '' } : undefined;

  io.out(`probing ${values.target ?? 'the local network (multicast)'} for ONVIF devices for ${timeout} s...`);
  const devices = await probe({
    timeoutMs: timeout * 1000,
    ...(values.target !== undefined ? { target: values.target } : {}),
    port,
    onIgnored: (from, reason) => values.verbose && io.err(`ignored a reply from ${from}: ${reason}`),
  });
  if (devices.length === 0) {
    io.out('no ONVIF devices answered (is the camera on this subnet? try --target HOST)');
    return 1;
  }
  for (const [i, device] of devices.entries()) {
    io.out('');
    await describe(device, i, credentials, io);
  }
  if (!credentials) io.out('\nadd --username USER (password in $CLIPGATE_ONVIF_PASSWORD) to list profiles and stream URIs');
  return 0;
}

async function describe(device: DiscoveredDevice, index: number, credentials: { username: string; password: string } | undefined, io: Io): Promise<void> {
  const xaddr = device.xaddrs[0];
  const url = xaddr ? safeUrl(xaddr) : undefined;
  const host = url?.hostname.replace(/^\[|\]$/g, '') ?? device.address;
  const port = url ? Number(url.port || (url.protocol === 'https:' ? 443 : 80)) : 80;
  io.out(`device ${index + 1}: ${device.address}`);
  if (device.name) io.out(`  name:      ${device.name}`);
  if (device.hardware) io.out(`  model:     ${device.hardware}`);
  io.out(`  service:   ${device.xaddrs.join(' ') || '(none advertised)'}`);
  if (device.endpoint) io.out(`  endpoint:  ${device.endpoint}`);
  if (credentials) {
    try {
      const onvif = new OnvifDevice({ host, port, credentials }, { timeoutMs: 8_000 });
      await onvif.connect();
      const info = await onvif.deviceInformation();
      io.out(`  device:    ${[info.manufacturer, info.model, info.firmwareVersion && `firmware ${info.firmwareVersion}`].filter(Boolean).join(' ')}`);
      const profiles = await onvif.profiles();
      const choice = profiles.length > 0 ? chooseProfiles(profiles) : undefined;
      for (const p of profiles) {
        const role = p.token === choice?.main.token ? ' (main)' : p.token === choice?.sub?.token ? ' (sub)' : '';
        io.out(`  profile:   ${p.token} "${p.name}" ${p.width}x${p.height} ${p.encoding ?? ''}${role}`);
        io.out(`    stream:  ${await onvif.streamUri(p.token).catch((err: unknown) => `(error: ${errorMessage(err)})`)}`);
      }
      const snapshot = choice ? await onvif.snapshotUri(choice.main.token) : undefined;
      if (snapshot) io.out(`  snapshot:  ${snapshot}`);
    } catch (err) {
      io.out(`  (could not read profiles: ${errorMessage(err)})`);
    }
  }
  io.out('  config:');
  for (const line of snippet(device, host, port, credentials?.username, index)) io.out(`    ${line}`);
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** A ready-to-paste `cameras:` entry; the password is an ${ENV} reference, never the real one. */
export function snippet(device: DiscoveredDevice, host: string, port: number, username: string | undefined, index: number): string[] {
  const slug = (device.name ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || `camera-${index + 1}`;
  const envName = `${slug.toUpperCase().replace(/-/g, '_')}_PASSWORD`;
  const quote = (s: string): string => JSON.stringify(s);
  return [
    `- id: ${slug}`,
    `  name: ${quote(device.name ?? slug)}`,
    `  onvif: { host: ${quote(host)}, port: ${port}, username: ${quote(username ?? 'admin')}, password: "\${${envName}}" }`,
  ];
}
