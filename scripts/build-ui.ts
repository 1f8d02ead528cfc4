import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/core/version.js';

/**
 * Bundle the browser app (src/ui) into dist/ui: one JS file, no CDN, no inline scripts, and no
 * source map (it would publish the UI's source to anyone who asks for /app.js.map).
 */
async function main(): Promise<void> {
  const root = packageRoot();
  const srcDir = path.join(root, 'src/ui');
  const outDir = path.join(root, 'dist/ui');
  mkdirSync(outDir, { recursive: true });
  // A map left by an older build must not survive next to the new bundle.
  for (const name of readdirSync(outDir)) if (name.endsWith('.map')) rmSync(path.join(outDir, name));
  const entry = path.join(srcDir, 'main.tsx');
  if (existsSync(entry)) {
    await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      sourcemap: false,
      format: 'esm',
      target: ['es2020'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      outfile: path.join(outDir, 'app.js'),
      logLevel: 'warning',
    });
  }
  for (const name of existsSync(srcDir) ? readdirSync(srcDir) : []) {
    if (/\.(html|css|svg|png|ico|webmanifest)$/.test(name)) cpSync(path.join(srcDir, name), path.join(outDir, name));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`build-ui failed: ${String(err)}\n`);
  process.exit(1);
});
