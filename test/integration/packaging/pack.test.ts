import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve('.');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('npm package', () => {
  it('installs from the packed tarball and runs --version and check-config from there', () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'cg-pack-'));
    dirs.push(work);
    // dist/ is built by the test set-up (scripts/setup.sh); pack what a user would get.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const app = path.join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true }));
    // Native add-ons are not rebuilt here (no network for prebuilt binaries); --version and
    // check-config must not need them, and the package cache makes this offline-capable.
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', path.join(work, tarball!)], {
      cwd: app,
      stdio: 'pipe',
      timeout: 240_000,
    });
    const bin = path.join(app, 'node_modules', '.bin', 'clipgate');
    expect(existsSync(bin)).toBe(true);
    const version = execFileSync(bin, ['--version'], { cwd: app, encoding: 'utf8' }).trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    const example = path.join(app, 'node_modules', 'clipgate', 'config', 'clipgate.example.yml');
    const out = execFileSync(bin, ['check-config', '--config', example], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, FRONT_DOOR_PASSWORD: 'a', GARAGE_PASSWORD: 'b', DRIVEWAY_PASSWORD: 'e', MQTT_PASSWORD: 'c', CLIPGATE_PLATFORM_TOKEN: 'd' },
    });
    expect(out).toMatch(/ok \(3 cameras\)/);
    for (const f of ['dist/src/main.js', 'dist/ui/app.js', 'dist/ui/index.html', 'config/clipgate.schema.json', 'scripts/clipgate.service', 'scripts/install.sh', 'README.md']) {
      expect(existsSync(path.join(app, 'node_modules', 'clipgate', f)), f).toBe(true);
    }
    // The demo's dev platform lives in dist/src/demo; the dev scripts (build, bench, soak) are not shipped.
    expect(existsSync(path.join(app, 'node_modules', 'clipgate', 'dist', 'src', 'demo', 'dev-platform', 'server.js'))).toBe(true);
    expect(existsSync(path.join(app, 'node_modules', 'clipgate', 'dist', 'scripts'))).toBe(false);
  }, 300_000);
});
