// The import graph of src/ keeps its layering: no cycles, no feature reaching up into the
// composition root (app.ts), nothing in src/ depending on scripts/, bench/ or test/, and core/,
// db/ and config/ below every feature.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');
/** The only files allowed to import app.ts: the CLI entry that runs the daemon. */
const MAY_IMPORT_APP = new Set(['src/main.ts', 'src/cli/start.ts']);
/** Folders that sit below every feature: they never import a feature folder. */
const FOUNDATIONS = ['src/core/', 'src/db/', 'src/config/'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** `./x.js` → `./x.ts` (or .tsx, or x/index.ts) as the compiler resolves it under NodeNext. */
function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.(js|jsx|ts|tsx)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, path.join(base, 'index.ts')]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // not this one
    }
  }
  return base;
}

/** Every file each src file imports (static, type-only, re-exports and dynamic import()). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles.map((f) => resolveImport(file, f.fileName)).filter((t): t is string => t !== undefined);
    graph.set(rel(file), [...new Set(targets.map(rel))]);
  }
  return graph;
}

function rel(file: string): string {
  return path.relative(ROOT, file).split(path.sep).join('/');
}

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
      }
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc: string[] = [];
    for (;;) {
      const w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      scc.push(w);
      if (w === v) break;
    }
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

function arrows(graph: Map<string, string[]>, bad: (from: string, to: string) => boolean): string[] {
  const out: string[] = [];
  for (const [from, tos] of graph) for (const to of tos) if (bad(from, to)) out.push(`${from} → ${to}`);
  return out.sort();
}

describe('src/ import graph', () => {
  const graph = importGraph();

  it('reads the whole tree, type-only and dynamic imports included', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/main.ts')).toContain('src/cli/index.ts');
    expect(graph.get('src/web/context.ts')).toContain('src/core/ports.ts');
    expect(graph.get('src/demo/platform-service.ts')).toContain('src/demo/dev-platform/server.ts');
  });

  it('finds a planted cycle (the checker itself works)', () => {
    const planted = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']], ['e', ['e']]]);
    expect(cycles(planted).sort()).toEqual([['a', 'b', 'c'], ['e']]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no file importing the composition root except the entry that runs the daemon', () => {
    expect(arrows(graph, (from, to) => to === 'src/app.ts' && !MAY_IMPORT_APP.has(from))).toEqual([]);
  });

  it('never imports scripts/, bench/ or test/', () => {
    expect(arrows(graph, (_from, to) => !to.startsWith('src/'))).toEqual([]);
  });

  it('keeps core/, db/ and config/ below the features', () => {
    const isFoundation = (f: string): boolean => FOUNDATIONS.some((d) => f.startsWith(d));
    expect(arrows(graph, (from, to) => isFoundation(from) && !isFoundation(to))).toEqual([]);
  });
});
