/** Entity decoding for text read from cameras and escaping for XML we send. */

/** Work counter shared with the reader (see XmlParseStats). */
export interface StepMeter {
  steps: number;
}

function namedEntity(name: string): string | undefined {
  switch (name) {
    case 'lt': return '<';
    case 'gt': return '>';
    case 'amp': return '&';
    case 'quot': return '"';
    case 'apos': return "'";
    default: return undefined;
  }
}

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
export const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isReferenceChar = (c: number): boolean => isLetter(c) || isDigit(c) || c === 35; /* # */

/** The text a reference `&ref;` stands for, or undefined to keep it literally. */
function resolveReference(text: string, from: number, to: number): string | undefined {
  const first = text.charCodeAt(from);
  if (first !== 35 /* # */) {
    for (let k = from; k < to; k++) if (!isLetter(text.charCodeAt(k))) return undefined;
    return to - from >= 2 ? namedEntity(text.slice(from, to)) : undefined;
  }
  const hex = text.charCodeAt(from + 1) === 120; /* x */
  const digitsFrom = hex ? from + 2 : from + 1;
  if (to - digitsFrom < 1 || to - digitsFrom > (hex ? 6 : 7)) return undefined;
  for (let k = digitsFrom; k < to; k++) if (!(hex ? isHex : isDigit)(text.charCodeAt(k))) return undefined;
  const code = parseInt(text.slice(digitsFrom, to), hex ? 16 : 10);
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/** Longest reference body we decode (`#x10FFFF`, `#1114111`, or a name); longer ones stay literal. */
const MAX_REFERENCE = 8;

/** decodeEntities, adding the characters it looked at to `meter.steps`. */
export function decodeCounted(text: string, meter: StepMeter): string {
  let amp = text.indexOf('&');
  meter.steps += text.length;
  if (amp < 0) return text;
  let out = '';
  let copied = 0;
  while (amp >= 0) {
    // The `;` is looked for within the longest reference only, so a run of bare `&` stays linear.
    const limit = Math.min(text.length, amp + 1 + MAX_REFERENCE);
    let semi = amp + 1;
    while (semi < limit && isReferenceChar(text.charCodeAt(semi))) semi++;
    meter.steps += semi - amp;
    const value = text.charCodeAt(semi) === 59 /* ; */ && semi > amp + 1 ? resolveReference(text, amp + 1, semi) : undefined;
    if (value !== undefined) {
      out += text.slice(copied, amp) + value;
      copied = semi + 1;
    }
    amp = text.indexOf('&', value === undefined ? amp + 1 : copied);
  }
  return out + text.slice(copied);
}

/** Decode the five XML entities and numeric references; anything else (a bare `&`) stays as it is. */
export function decodeEntities(text: string): string {
  return decodeCounted(text, { steps: 0 });
}

function escapeChar(c: string): string {
  switch (c) {
    case '<': return '&lt;';
    case '>': return '&gt;';
    case '"': return '&quot;';
    case "'": return '&apos;';
    default: return '&amp;';
  }
}

/** Escape text for inclusion in XML we send. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, escapeChar);
}
