// Test harness for the web API: a real App on a temp data dir, listening on 127.0.0.1:0,
// with fake service controls (the edges this module does not own) and helpers to sign in.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { App } from '../../../src/app.js';
import { configSchema } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import { createLogger, SecretRegistry } from '../../../src/core/logger.js';
import type { ClipRecord } from '../../../src/db/repos/clips.js';
import { SETTING } from '../../../src/db/repos/settings.js';
import { hashPassword } from '../../../src/web/auth/password.js';
import { makeTempDir, type TempDir } from '../../support/tmp.js';
import type { ApiControls } from '../../../src/web/context.js';
import { FakeControls } from './fakes.js';

export const PASSWORD = 'correct horse battery';

export interface Harness {
  app: App;
  server: FastifyInstance;
  dir: TempDir;
  logs: string[];
  clock: ManualClock;
  fakes: FakeControls;
  port: number;
  close(): Promise<void>;
}

let cachedHash: string | undefined;

/**
 * `web` adds keys to the web section (allowedHosts, trustProxy, ingress, ...); `config` adds other
 * top-level keys, with `{dir}` in a string replaced by the harness's temp folder.
 */
export async function startHarness(opts: { password?: boolean; web?: Record<string, unknown>; config?: Record<string, unknown>; real?: (keyof ApiControls)[] } = {}): Promise<Harness> {
  const dir = await makeTempDir('cg-web-');
  const logs: string[] = [];
  const extra = Object.fromEntries(Object.entries(opts.config ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v.replace('{dir}', dir.path) : v]));
  // No analysis worker: these tests drive the API and UI over fake services (analysis has its own App tests).
  const config = configSchema.parse({ dataDir: path.join(dir.path, 'data'), cacheDir: path.join(dir.path, 'cache'), web: { host: '127.0.0.1', port: 0, ...opts.web }, detect: { enabled: false }, ...extra });
  const log = createLogger({ level: 'info', secrets: new SecretRegistry(), write: (l) => logs.push(l) });
  const clock = new ManualClock(Date.now());
  const app = new App({ config, demo: false, log, secrets: new SecretRegistry(), clock });
  if (opts.password !== false) {
    cachedHash ??= await hashPassword(PASSWORD);
    app.core.repos.settings.set(SETTING.ownerPasswordHash, cachedHash);
  }
  const fakes = new FakeControls(app.core);
  // `real`: these services stay the App's own (the real review service and ledger, say), the rest are fakes.
  const real = { ...app.controls };
  fakes.install(app.controls);
  for (const key of opts.real ?? []) Object.assign(app.controls, { [key]: real[key] });
  await app.start();
  const server = app.web.server;
  if (!server) throw new Error('web server did not start');
  return { app, server, dir, logs, clock, fakes, port: app.web.port, close: async () => { await app.stop(); await dir.cleanup(); } };
}

export interface Login {
  cookie: string;
  csrf: string;
}

export function cookieOf(res: LightMyRequestResponse): string {
  const set = res.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  if (!first) throw new Error(`no cookie in response ${res.statusCode} ${res.body}`);
  return first.split(';')[0] ?? '';
}

export async function login(h: Harness, password = PASSWORD): Promise<Login> {
  const res = await h.server.inject({ method: 'POST', url: '/api/session', payload: { password } });
  if (res.statusCode !== 204) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = cookieOf(res);
  const s = await h.server.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
  return { cookie, csrf: s.json<{ csrfToken: string }>().csrfToken };
}

export function authed(l: Login): Record<string, string> {
  return { cookie: l.cookie, 'x-csrf-token': l.csrf };
}

/** A clip row plus files under the data dir; `bytes` is the video content, `jpeg` the thumbnail. */
export function addClip(h: Harness, over: Partial<ClipRecord> & { id: string }, bytes: Buffer = Buffer.alloc(1000, 7), jpeg?: Buffer): ClipRecord {
  const dataDir = h.app.core.paths.dataDir;
  const rel = path.join('clips', `${over.id}.mp4`);
  const thumb = path.join('clips', `${over.id}.jpg`);
  mkdirSync(path.join(dataDir, 'clips'), { recursive: true });
  writeFileSync(path.join(dataDir, rel), bytes);
  writeFileSync(path.join(dataDir, thumb), jpeg ?? Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  const at = over.startedAt ?? new Date(h.clock.now()).toISOString();
  const rec: ClipRecord = {
    cameraId: 'front-door', status: 'pending', trigger: 'motion', startedAt: at, endedAt: at, durationMs: 15_000, sizeBytes: bytes.length,
    width: 1920, height: 1080, hasAudio: true, sha256: 'a'.repeat(64), filePath: rel, thumbPath: thumb, createdAt: at, reviewedAt: null,
    fileDeletedAt: null, labels: {}, analysis: 'pending', ...over,
  };
  h.app.core.repos.clips.insert(rec);
  return rec;
}

/** Typed asymmetric matchers, so object literals in assertions stay free of `any`. */
export const matching = (re: RegExp): string => expect.stringMatching(re) as string;
export const containing = (text: string): string => expect.stringContaining(text) as string;
export const anyString = (): string => expect.any(String) as string;
