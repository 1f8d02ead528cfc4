// Finds the ffmpeg capabilities and the programs a TypeScript file uses, from its syntax tree:
// argv arrays and push(...) calls (`'-c:v', 'libx264'`, `'-f', 'segment'`, `'-bsf:v', 'filter_units=...'`,
// `'-vf'`/`'-filter_complex'`/lavfi graphs), filter-graph strings built elsewhere (`crop=${w}:...`,
// `[c${i}]crop=...` as in the redaction graph builder), and spawn/exec calls.
import ts from 'typescript';
import type { Use } from './capability-table.js';

/** Stands for a `${...}` placeholder inside a template literal (a private-use character). */
export const HOLE = '\uE000';

/** Functions whose first argument is the program to run. */
const SPAWNERS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'runProcess', 'runChecked', 'spawnProcess', 'runMedia', 'runMediaChecked', 'run']);
/** Programs that run another program named in their arguments. */
const WRAPPERS = new Set(['stdbuf', 'nice', 'timeout', 'env']);

const ENCODER_OPT = /^-(?:c|codec|vcodec|acodec)(?::[vas](?::\d+)?)?$/;
const FILTER_OPT = /^-(?:vf|af|filter_complex|lavfi|filter(?::[va](?::\d+)?)?)$/;
const BSF_OPT = /^-(?:bsf|absf|vbsf)(?::[vas](?::\d+)?)?$/;

/** The string values an expression can have, as far as its literals tell (both arms of a `?:`). */
function literals(e: ts.Expression): string[] {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isTemplateExpression(e)) return [e.head.text + e.templateSpans.map((s) => HOLE + s.literal.text).join('')];
  if (ts.isConditionalExpression(e)) return [...literals(e.whenTrue), ...literals(e.whenFalse)];
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) return literals(e.expression);
  return [];
}

/**
 * Names in filter position of an ffmpeg filter graph: each chain element, after its input labels
 * (`[0:v]crop=...`, `ssim`, `null[vout]`). Commas inside quotes or escaped do not split.
 */
export function graphFilters(graph: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < graph.length; i++) {
    const c = graph[i]!;
    if (c === '\\') { cur += c + (graph[i + 1] ?? ''); i++; continue; }
    if (c === "'") quoted = !quoted;
    if (!quoted && (c === ',' || c === ';')) { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  const names: string[] = [];
  for (const p of parts) {
    const m = /^(?:\s|\[[^\]]*\]|\uE000)*([a-z][a-z0-9_]*)(?:@\w+)?(?==|\[|\s|$)/.exec(p);
    if (m) names.push(m[1]!);
  }
  return names;
}

/** A string that reads as a filter graph rather than a word: it has arguments, labels or chains. */
function graphLike(s: string): boolean {
  return /[=[,;]/.test(s) && /^(?:\[[^\]]*\]|\uE000)*[a-z][a-z0-9_]*(?:@\w+)?(?:=|\[|,|;)/.test(s);
}

interface Arg {
  values: string[];
  /** file:line of this element. */
  at: string;
}

/** Applies ffmpeg's option grammar to one argv sequence (an array literal or a call's arguments). */
export function argvUses(seq: Arg[]): Use[] {
  const uses: Use[] = [];
  const single = (i: number): string | undefined => (seq[i]?.values.length === 1 ? seq[i]?.values[0] : undefined);
  const laterInput = (i: number): boolean => seq.slice(i + 1).some((a) => a.values.length === 1 && a.values[0] === '-i');
  let lavfiInput = false;
  for (let i = 0; i < seq.length; i++) {
    const opt = single(i);
    if (!opt?.startsWith('-')) continue;
    const values = seq[i + 1]?.values ?? [];
    const at = seq[i]?.at ?? '';
    if (ENCODER_OPT.test(opt)) {
      for (const v of values) if (v !== 'copy') uses.push({ kind: 'encoder', name: v, at });
    } else if (opt === '-f') {
      const input = laterInput(i);
      for (const v of values) uses.push({ kind: input ? 'demuxer' : 'muxer', name: v, at });
      lavfiInput = input && values.includes('lavfi');
    } else if (opt === '-segment_format') {
      for (const v of values) uses.push({ kind: 'muxer', name: v, at });
    } else if (opt === '-rtsp_transport') {
      uses.push({ kind: 'demuxer', name: 'rtsp', at });
    } else if (BSF_OPT.test(opt)) {
      for (const v of values) for (const b of v.split(',')) uses.push({ kind: 'bsf', name: b.split('=')[0]!, at });
    } else if (FILTER_OPT.test(opt) || (opt === '-i' && lavfiInput)) {
      for (const v of values) for (const f of graphFilters(v)) uses.push({ kind: 'filter', name: f, at });
      if (opt === '-i') lavfiInput = false;
    }
  }
  return uses;
}

function spawnedCommand(call: ts.CallExpression): string[] {
  const callee = call.expression;
  const fn = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  const [first, second] = call.arguments;
  if (!SPAWNERS.has(fn) || !first || !ts.isStringLiteral(first)) return [];
  const out = [first.text];
  if (WRAPPERS.has(first.text) && second && ts.isArrayLiteralExpression(second)) {
    const wrapped = second.elements.flatMap((e) => literals(e)).find((v) => !v.startsWith('-'));
    if (wrapped) out.push(wrapped);
  }
  return out;
}

/**
 * Every use in one TypeScript source. `ffmpegFilters` is the installed ffmpeg's filter list: a
 * graph-like string outside an argv (a graph builder, `const crop = \`crop=...\``) counts only for
 * names ffmpeg knows as filters, so `csv=p=0` or `title=...` are not mistaken for filters.
 */
export function scanTypeScript(file: string, text: string, ffmpegFilters: ReadonlySet<string>): Use[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const uses: Use[] = [];
  const where = (n: ts.Node): string => `${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
  const sequence = (els: readonly ts.Expression[]): Arg[] => els.map((e) => ({ values: ts.isSpreadElement(e) ? [] : literals(e), at: where(e) }));
  const visit = (n: ts.Node): void => {
    if (ts.isArrayLiteralExpression(n)) uses.push(...argvUses(sequence(n.elements)));
    if (ts.isCallExpression(n)) {
      uses.push(...argvUses(sequence(n.arguments)));
      for (const cmd of spawnedCommand(n)) uses.push({ kind: 'cmd', name: cmd, at: where(n) });
    }
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n)) {
      for (const s of literals(n)) {
        if (/^\/(?:usr\/)?s?bin\/[\w.+-]+$/.test(s)) uses.push({ kind: 'cmd', name: s, at: where(n) });
        if (graphLike(s)) for (const f of graphFilters(s)) if (ffmpegFilters.has(f)) uses.push({ kind: 'filter', name: f, at: where(n) });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return uses;
}

/** Shell scripts: each line's words as one argv (quotes removed), for ffmpeg command lines. */
export function scanShell(file: string, text: string): Use[] {
  return text.split('\n').flatMap((line, i) => {
    if (!/\bffmpeg\b/.test(line) || line.trimStart().startsWith('#')) return [];
    const words = line.trim().split(/\s+/).map((w) => ({ values: [w.replace(/^["']|["']$/g, '')], at: `${file}:${i + 1}` }));
    return argvUses(words);
  });
}
