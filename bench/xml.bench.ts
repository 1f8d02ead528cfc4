import { performance } from 'node:perf_hooks';
import { parseXmlDocument, XmlError } from '../src/cameras/onvif/xml.js';
import { HOSTILE_XML } from './xml-corpus.js';
import { legacyParseXmlDocument } from './xml-legacy.js';
import type { Bench, BenchResult } from './types.js';

const KIB = 1024;
/** The goal: 4 MB of hostile XML parsed or refused in well under a second. */
const TARGET_MS = 1000;

type Parse = (input: string) => { complete: boolean };

function outcome(parse: Parse, input: string): string {
  try {
    return parse(input).complete ? 'parsed' : 'parsed, incomplete';
  } catch (err) {
    if (err instanceof XmlError || (err instanceof Error && err.name === 'XmlError')) return `refused: ${err.message}`;
    throw err;
  }
}

/** Median wall time of `runs` parses (refusals included: refusing is the parse's answer). */
function medianMs(parse: Parse, input: string, runs: number): { ms: number; result: string } {
  const samples: number[] = [];
  let result = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = outcome(parse, input);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { ms: Number((samples[Math.floor(samples.length / 2)] ?? NaN).toFixed(1)), result };
}

/**
 * The ONVIF XML reader against hostile answers: each kind at 4 MiB (against the target), and
 * at 128 and 256 KiB beside the reader it replaced, which was quadratic on several of them.
 */
export const xmlBench: Bench = {
  name: 'xml: hostile ONVIF answers',
  async run() {
    const rows: BenchResult[] = [];
    const current: Parse = (s) => parseXmlDocument(s);
    for (const kind of HOSTILE_XML) {
      const big = kind.make(4 * 1024 * KIB);
      const now = medianMs(current, big, 3);
      rows.push({ name: `${kind.name}, 4 MiB`, value: now.ms, unit: 'ms', target: { op: '<=', value: TARGET_MS, of: 'value' }, notes: now.result });
      for (const size of [128 * KIB, 256 * KIB]) {
        const input = kind.make(size);
        const fresh = medianMs(current, input, 3);
        // The old reader runs once: on the quadratic kinds one run takes seconds.
        const old = medianMs(legacyParseXmlDocument, input, 1);
        rows.push({
          name: `${kind.name}, ${size / KIB} KiB`,
          value: fresh.ms,
          unit: 'ms',
          baseline: { name: 'old reader', value: old.ms },
          ratio: old.ms > 0 ? Number((fresh.ms / old.ms).toFixed(4)) : undefined,
          notes: `new ${fresh.result}; old ${old.result}`,
        });
      }
      // Let timers and I/O of a shared machine breathe between kinds.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return rows;
  },
};
