// Walks the source tree and collects every capability the code, the tests and the benches use.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Use } from './capability-table.js';
import { HOLE, scanShell, scanTypeScript } from './scan-argv.js';
import { gstUses, pythonLiterals, type Literal } from './scan-gst.js';

const SYNTHETIC = path.join('test', 'unit', 'setup', 'capabilities.test.ts');

export interface SourceFile {
  file: string;
  text: string;
}

/** The filters the installed ffmpeg knows (`ffmpeg -filters`); the scanner's vocabulary for graph strings. */
export function ffmpegFilterNames(): Set<string> {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-filters'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg -filters failed (run scripts/setup.sh test first): ${r.stderr || String(r.error)}`);
  const names = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*[T.][S.][C.]\s+(\S+)\s/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

function typeScriptLiterals(file: string, text: string): Literal[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Literal[] = [];
  const visit = (n: ts.Node): void => {
    let s: string | undefined;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) s = n.text;
    else if (ts.isTemplateExpression(n)) s = n.head.text + n.templateSpans.map((sp) => HOLE + sp.literal.text).join('');
    // An argv for gst-launch-1.0 (`['videotestsrc', '!', 'fakesink']`) is one pipeline.
    if (ts.isArrayLiteralExpression(n) && n.elements.some((e) => ts.isStringLiteral(e) && e.text === '!')) {
      s = n.elements.map((e) => (ts.isStringLiteral(e) ? e.text : HOLE)).join(' ');
    }
    if (s !== undefined) out.push({ text: s, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1 });
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

export function scanSource(src: SourceFile, ffmpegFilters: ReadonlySet<string>): Use[] {
  const { file, text } = src;
  if (/\.tsx?$/.test(file)) return [...scanTypeScript(file, text, ffmpegFilters), ...gstUses(file, typeScriptLiterals(file, text), text)];
  if (file.endsWith('.py')) return gstUses(file, pythonLiterals(text), text);
  if (file.endsWith('.sh')) return scanShell(file, text);
  return [];
}

/**
 * The files the guard reads: src/, bench/, scripts/ and test/ (TypeScript, Python, shell),
 * except the guard test itself, whose synthetic sources name missing capabilities on purpose.
 */
export function sourceFiles(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(rel);
      } else if (/\.(tsx?|py|sh)$/.test(e.name) && rel !== SYNTHETIC) {
        out.push({ file: rel, text: readFileSync(path.join(root, rel), 'utf8') });
      }
    }
  };
  for (const dir of ['src', 'bench', 'scripts', 'test']) walk(dir);
  return out;
}
