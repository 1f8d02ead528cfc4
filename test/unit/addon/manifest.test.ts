// The add-on folder (ha-addon/clipgate) against the code: the manifest's options and schema match
// src/addon/options.ts, its defaults translate, the translations cover every option, and run.sh
// makes the right calls (run with stub `curl` and `node` on PATH; no Supervisor is reachable here).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ADDON_PATHS, ADDON_WEB_PORT, addonConfig, addonOptionsSchema } from '../../../src/addon/options.js';

const DIR = 'ha-addon/clipgate';
const read = (f: string): string => readFileSync(path.join(DIR, f), 'utf8');
type Manifest = Record<string, unknown> & { options: Record<string, unknown>; schema: Record<string, unknown> };
const manifest = parse(read('config.yaml')) as Manifest;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
/** The Supervisor's option types (simple, match(...), list(a|b)), each optionally suffixed with ?. */
const HA_TYPE = /^(?:str|password|bool|port|url|email|(?:int|float)(?:\([\d.]*,[\d.]*\))?|match\(.+\)|list\([^|()]+(?:\|[^|()]+)*\))\??$/;

function typeStrings(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(typeStrings);
  if (node && typeof node === 'object') return Object.values(node).flatMap(typeStrings);
  return [];
}

describe('ha-addon/clipgate/config.yaml', () => {
  it('declares the add-on as Home Assistant expects it', () => {
    expect(manifest).toMatchObject({ name: 'clipgate', slug: 'clipgate', version: pkg.version, arch: ['aarch64', 'amd64'], ingress: true, ingress_port: ADDON_WEB_PORT, panel_icon: 'mdi:cctv', tmpfs: true });
    expect(manifest.services).toContain('mqtt:want');
    expect(manifest.map).toEqual(expect.arrayContaining([{ type: 'media', read_only: false }, { type: 'share', read_only: false }]));
    expect(manifest.watchdog).toBe(`http://[HOST]:[PORT:${ADDON_WEB_PORT}]/api/health`);
    expect(Object.keys(manifest.ports as object)).toEqual([`${ADDON_WEB_PORT}/tcp`]);
    // /tmp is the tmpfs the cache uses; /media/clipgate lies in the mapped media folder.
    expect(ADDON_PATHS.cacheDir.startsWith('/tmp/')).toBe(true);
    expect(ADDON_PATHS.clipsDir.startsWith('/media/')).toBe(true);
  });

  it('schema and options name exactly the options src/addon/options.ts reads', () => {
    const ts = addonOptionsSchema.shape;
    expect(Object.keys(manifest.schema).sort()).toEqual(Object.keys(ts).sort());
    const camera = (manifest.schema.cameras as Record<string, unknown>[])[0] ?? {};
    expect(Object.keys(camera).sort()).toEqual(Object.keys(ts.cameras.unwrap().element.shape).sort());
    expect(Object.keys(manifest.schema.retention as object).sort()).toEqual(Object.keys(ts.retention.unwrap().shape).sort());
    for (const key of Object.keys(manifest.options)) expect(Object.keys(manifest.schema)).toContain(key);
    for (const t of typeStrings(manifest.schema)) expect(t).toMatch(HA_TYPE);
  });

  it('the default options translate into a config that loads', () => {
    const r = addonConfig(manifest.options);
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it('the translation names every option and the port', () => {
    const en = parse(read('translations/en.yaml')) as { configuration: Record<string, { name: string; description: string }>; network: Record<string, string> };
    expect(Object.keys(en.configuration).sort()).toEqual(Object.keys(manifest.schema).sort());
    for (const t of Object.values(en.configuration)) expect(t.name.length * t.description.length).toBeGreaterThan(0);
    expect(Object.keys(en.network)).toEqual(Object.keys(manifest.ports as object));
  });

  it('build.yaml builds every architecture on the Home Assistant Debian base', () => {
    const build = parse(read('build.yaml')) as { build_from: Record<string, string>; args: Record<string, string> };
    expect(Object.keys(build.build_from).sort()).toEqual(manifest.arch as string[]);
    for (const [arch, image] of Object.entries(build.build_from)) expect(image).toBe(`ghcr.io/home-assistant/${arch}-base-debian:bookworm`);
    expect(build.args.CLIPGATE_VERSION).toBe(pkg.version);
  });

  it('the repository is an add-on repository, and the add-on has its documents', () => {
    expect(parse(readFileSync('repository.yaml', 'utf8'))).toMatchObject({ name: expect.any(String) as string, url: expect.stringMatching(/^https:\/\//) as string });
    for (const f of ['DOCS.md', 'README.md', 'CHANGELOG.md']) expect(read(f).length).toBeGreaterThan(200);
    expect(read('CHANGELOG.md')).toContain(`## ${pkg.version}`);
  });

  it('the Dockerfile runs run.sh on BUILD_FROM with ffmpeg and Node 22', () => {
    const docker = read('Dockerfile');
    const froms = [...docker.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms).toEqual(['node:22-bookworm', '${BUILD_FROM}']);
    expect(docker).toMatch(/apt-get install[^\n]*\bffmpeg\b/);
    expect(docker).toContain('COPY --from=build /usr/local/bin/node /usr/local/bin/node');
    expect(docker).toMatch(/^CMD \["\/run\.sh"\]$/m);
  });
});

describe('run.sh', () => {
  const stubs = mkdtempSync(path.join(os.tmpdir(), 'cg-addon-run-'));
  afterAll(() => rmSync(stubs, { recursive: true, force: true }));
  const calls = path.join(stubs, 'calls.log');

  /** Stub commands: curl answers (or fails) as told; node records its arguments and stdin. */
  function startScript(curl: 'answers' | 'fails', nodeFailsOn?: string): { status: number | null; calls: string[] } {
    writeFileSync(calls, '');
    writeFileSync(path.join(stubs, 'curl'), curl === 'answers' ? `#!/bin/sh\necho "curl $*" >> "${calls}"\nprintf '{"result":"ok","data":{"host":"core-mosquitto","port":1883,"password":"pw"}}'\n` : `#!/bin/sh\necho "curl $*" >> "${calls}"\nexit 22\n`);
    writeFileSync(
      path.join(stubs, 'node'),
      `#!/bin/sh\ninput=\nfor a in "$@"; do if [ "$a" = "-" ]; then input=$(cat); fi; done\necho "node $* <$input>" >> "${calls}"\n${nodeFailsOn ? `case "$2" in ${nodeFailsOn}) exit 1;; esac\n` : ''}exit 0\n`,
    );
    for (const f of ['curl', 'node']) chmodSync(path.join(stubs, f), 0o755);
    const r = spawnSync('bash', [path.join(DIR, 'run.sh')], { env: { PATH: `${stubs}:/usr/bin:/bin`, SUPERVISOR_TOKEN: 'sv-token' }, encoding: 'utf8' });
    return { status: r.status, calls: readFileSync(calls, 'utf8').trim().split('\n') };
  }
  const MAIN = '/opt/clipgate/node_modules/clipgate/dist/src/main.js';

  it('with an MQTT service: the answer goes to addon-config on stdin, then the daemon starts on the written config', () => {
    const r = startScript('answers');
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      'curl -fsS --max-time 10 -H Authorization: Bearer sv-token http://supervisor/services/mqtt',
      `node ${MAIN} addon-config --options /data/options.json --mqtt - --out /data/clipgate.yml <{"result":"ok","data":{"host":"core-mosquitto","port":1883,"password":"pw"}}>`,
      `node ${MAIN} start --config /data/clipgate.yml <>`,
    ]);
    // The password never appears on a command line.
    expect(r.calls.filter((c) => c.startsWith('node')).map((c) => c.slice(0, c.indexOf('<')))).not.toContain('pw');
  });

  it('without an MQTT service: no --mqtt', () => {
    const r = startScript('fails');
    expect(r.status).toBe(0);
    expect(r.calls.slice(1)).toEqual([`node ${MAIN} addon-config --options /data/options.json --out /data/clipgate.yml <>`, `node ${MAIN} start --config /data/clipgate.yml <>`]);
  });

  it('bad options: the daemon is not started', () => {
    const r = startScript('fails', 'addon-config');
    expect(r.status).not.toBe(0);
    expect(r.calls.some((c) => c.includes(' start '))).toBe(false);
  });

  it('is valid bash', () => {
    expect(() => execFileSync('bash', ['-n', path.join(DIR, 'run.sh')])).not.toThrow();
  });
});
