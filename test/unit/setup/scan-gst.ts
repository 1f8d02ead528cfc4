// Finds the GStreamer elements a source uses: in pipeline (gst-launch syntax) string literals
// and in Gst.ElementFactory.find/make calls. Python string literals come from a small lexer.
import type { Use } from './capability-table.js';
import { HOLE } from './scan-argv.js';

export interface Literal {
  text: string;
  line: number;
}

/** Python string literals (f-string `{...}` parts become HOLE); comments are skipped. */
export function pythonLiterals(src: string): Literal[] {
  const out: Literal[] = [];
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') { line++; i++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    const m = /^([rRbBfFuU]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (!m || (m[1] && /\w/.test(src[i - 1] ?? ''))) { i++; continue; }
    const prefix = m[1]!.toLowerCase();
    const quote = m[2]!;
    const startLine = line;
    let text = '';
    let depth = 0;
    i += m[0].length;
    while (i < src.length && !(depth === 0 && src.startsWith(quote, i))) {
      const d = src[i]!;
      if (d === '\n') line++;
      if (d === '\\' && !prefix.includes('r')) { text += src[i + 1] ?? ''; i += 2; continue; }
      if (prefix.includes('f') && d === '{') {
        if (src[i + 1] === '{' && depth === 0) { text += '{'; i += 2; continue; }
        if (depth++ === 0) text += HOLE;
      } else if (prefix.includes('f') && d === '}' && depth > 0) {
        depth--;
      } else if (depth === 0) {
        text += d;
      }
      i++;
    }
    i += quote.length;
    out.push({ text, line: startLine });
  }
  return out;
}

const ELEMENT = /^[a-z][a-z0-9_]*$/;
const PROPERTY = /^[a-z][a-z0-9-]*=/;

/**
 * Elements in one pipeline fragment. Every segment after a `!` names an element (or caps, which
 * make a capsfilter); the text before the first `!` is an element only when it reads like one:
 * followed by `!` or by `property=value` words (`videotestsrc is-live=true ...`).
 */
export function pipelineElements(fragment: string): string[] {
  const segments = fragment.replace(/[()]/g, ' ').split('!');
  const out: string[] = [];
  segments.forEach((seg, i) => {
    const words = seg.trim().split(/\s+/).filter(Boolean);
    const first = words[0];
    if (!first || first.includes(HOLE)) return;
    if (i > 0 && /^[a-z]+\/[a-z0-9.+-]+/.test(first)) { out.push('capsfilter'); return; }
    if (!ELEMENT.test(first)) return;
    const props = words.slice(1);
    if (i > 0 || segments.length > 1 || (props.length > 0 && props.every((w) => PROPERTY.test(w)))) out.push(first);
  });
  return out;
}

/** A literal anywhere that is surely a pipeline: `a ! b`. */
const PIPELINE = /\S\s+!\s+\S/;

/**
 * Elements used by one file. In a file that drives GStreamer itself (imports Gst) every literal
 * is read as a possible pipeline fragment (Python builds launch lines from pieces like
 * `"! h264parse "`); in another file that mentions GStreamer, literals of the form `a ! b`.
 */
export function gstUses(file: string, literals: Literal[], source: string): Use[] {
  const gstFile = /\bfrom gi\.repository import\b[^\n]*\bGst\b|\bGst\.init\b/.test(source);
  const mentionsGst = /gst/i.test(source);
  const uses: Use[] = [];
  for (const lit of literals) {
    if (!gstFile && !(mentionsGst && PIPELINE.test(lit.text))) continue;
    for (const name of pipelineElements(lit.text)) uses.push({ kind: 'element', name, at: `${file}:${lit.line}` });
  }
  // ElementFactory find/make calls naming an element, or a loop variable over a tuple of names.
  const lineOf = (index: number): number => source.slice(0, index).split('\n').length;
  for (const m of source.matchAll(/ElementFactory\.(?:find|make)\(\s*(?:["']([\w-]+)["']|(\w+))/g)) {
    if (m[1]) { uses.push({ kind: 'element', name: m[1], at: `${file}:${lineOf(m.index)}` }); continue; }
    const loop = new RegExp(`for\\s+${m[2]}\\s+in\\s+[([]([^)\\]]*)[)\\]]`).exec(source);
    for (const q of loop?.[1]?.matchAll(/["']([\w-]+)["']/g) ?? []) {
      uses.push({ kind: 'element', name: q[1]!, at: `${file}:${lineOf(loop!.index)}` });
    }
  }
  return uses;
}
