/**
 * A small, forgiving XML reader for SOAP answers from cameras.
 *
 * Cameras send XML that strict parsers reject: unescaped `&` in device names, undeclared
 * namespace prefixes, truncated bodies after a reboot, stray bytes after the envelope. We only
 * need element names (without prefixes), attributes and text, so this reader builds a plain
 * tree, repairs what it can (closes unclosed elements, ignores stray end tags, keeps unknown
 * entities literally) and stops at the end of the first root element.
 *
 * A camera is an untrusted peer, so the reader is one forward pass over the input: every
 * character is looked at a bounded number of times, nothing recurses, no regular expression
 * runs over the input, and the tree it builds is bounded (XML_LIMITS). A DOCTYPE is skipped,
 * never expanded, so an entity bomb costs its own length and no more. It throws XmlError, and
 * nothing else, when there is no element at all or a limit is passed.
 */

export interface XmlNode {
  /** Local name, without namespace prefix. */
  name: string;
  /** Namespace prefix as written (`tt` in `tt:Profile`), or ''. */
  prefix: string;
  /** Attributes by local name (prefixes dropped; `xmlns` declarations kept as `xmlns:x`; `__proto__` dropped). */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Concatenated direct text content, entities decoded, trimmed. */
  text: string;
}

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

/** Answers larger than this are not SOAP a camera should send; refuse instead of chewing memory. */
export const MAX_XML_BYTES = 4 * 1024 * 1024;

/**
 * What one answer may hold. ONVIF answers are a few hundred elements and at most ~30 deep; the
 * element cap keeps the tree of a 4 MB answer to a few tens of MB.
 */
export const XML_LIMITS = {
  depth: 200,
  elements: 50_000,
  attributesPerElement: 64,
  attributeLength: 64 * 1024,
  textLength: 1024 * 1024,
  nameLength: 256,
} as const;

/** Work done by one parse, for tests that check it grows linearly with the input. */
export interface XmlParseStats {
  /** Characters examined plus tree operations; at most a small constant times the input length. */
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

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
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
function decodeCounted(text: string, meter: XmlParseStats): string {
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

function splitName(qname: string): { prefix: string; name: string } {
  const i = qname.indexOf(':');
  return i < 0 ? { prefix: '', name: qname } : { prefix: qname.slice(0, i), name: qname.slice(i + 1) };
}

/** Parse forgivingly; returns the first top-level element (the document root). */
export function parseXml(input: string): XmlNode {
  return parseXmlDocument(input).root;
}

/**
 * Like parseXml, and also says whether the document was complete: `complete` is false when
 * elements were still open at the end of input (a truncated answer), which callers should not
 * trust, unlike local damage such as a stray end tag or a bare `&`, which is repaired.
 */
export function parseXmlDocument(input: string, stats?: XmlParseStats): { root: XmlNode; complete: boolean } {
  if (input.length > MAX_XML_BYTES) throw new XmlError(`XML too large (${input.length} bytes)`);
  const reader = new XmlReader(input);
  try {
    return reader.read();
  } finally {
    if (stats) stats.steps += reader.steps;
  }
}

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;
const isNameStart = (c: number): boolean => isLetter(c) || c === 95 /* _ */ || c >= 0x80;
const isNameChar = (c: number): boolean => isNameStart(c) || isDigit(c) || c === 46 /* . */ || c === 58 /* : */ || c === 45; /* - */
/** Attribute names are read loosely: anything up to a space, `=`, `>`, `/` or `<`. */
const isAttrNameChar = (c: number): boolean => !isSpace(c) && c !== 61 && c !== 62 && c !== 47 && c !== 60;
const isQuote = (c: number): boolean => c === 34 || c === 39;

/**
 * One forward pass over the input. `pos` only moves forward, and every loop charges the
 * characters it looks at to `steps`, so `steps` is an honest measure of the work done.
 */
class XmlReader {
  steps = 0;
  private pos = 0;
  private root: XmlNode | undefined;
  /** Open elements, the root first, with their direct text so far. */
  private readonly stack: XmlNode[] = [];
  private readonly texts: string[][] = [];
  private readonly textLengths: number[] = [];
  /**
   * Raw text of the open element not decoded yet: runs that touch (text, a lone `<`, a broken
   * tag, more text) are decoded as one string, so hostile input cannot make a string per byte.
   */
  private textFrom = -1;
  private textTo = -1;
  /** How many elements of each local name are open: a stray end tag is found in O(1). */
  private readonly openNames = new Map<string, number>();
  private elements = 0;
  /** The root element closed, or the input ended inside markup. */
  private finished = false;

  constructor(private readonly input: string) {}

  read(): { root: XmlNode; complete: boolean } {
    const { input } = this;
    while (!this.finished && this.pos < input.length) {
      const lt = this.indexOf('<', this.pos);
      this.text(this.pos, lt < 0 ? input.length : lt);
      if (lt < 0) break;
      this.pos = lt;
      this.markup();
    }
    const complete = this.stack.length === 0;
    while (this.stack.length > 0) this.close();
    if (!this.root) throw new XmlError('no XML element in the answer');
    return { root: this.root, complete };
  }

  private indexOf(needle: string, from: number): number {
    const at = this.input.indexOf(needle, from);
    this.steps += (at < 0 ? this.input.length : at) - from + 1;
    return at;
  }

  private startsWith(prefix: string): boolean {
    this.steps += prefix.length;
    return this.input.startsWith(prefix, this.pos);
  }

  /** First index at or after `from` whose character fails `accept` (or the input length). */
  private scan(from: number, accept: (c: number) => boolean): number {
    const { input } = this;
    let p = from;
    while (p < input.length && accept(input.charCodeAt(p))) p++;
    this.steps += p - from + 1;
    return p;
  }

  private skipPast(terminator: string, from: number): void {
    const at = this.indexOf(terminator, from);
    this.pos = at < 0 ? this.input.length : at + terminator.length;
  }

  /** The rest of the input is inside an unterminated tag: stop, leaving open elements open. */
  private truncated(): void {
    this.pos = this.input.length;
    this.finished = true;
  }

  private markup(): void {
    const next = this.input.charCodeAt(this.pos + 1);
    if (next === 33 /* ! */) {
      if (this.startsWith('<!--')) this.skipPast('-->', this.pos + 4);
      else if (this.startsWith('<![CDATA[')) this.cdata();
      else if (this.startsWith('<!DOCTYPE')) this.doctype();
      else this.skipPast('>', this.pos + 2);
    } else if (next === 63 /* ? */) this.skipPast('?>', this.pos + 2);
    else if (next === 47 /* / */) this.endTag();
    else if (isNameStart(next)) this.startTag();
    else {
      // A lone '<' in text (broken escaping): keep it as text.
      this.text(this.pos, this.pos + 1);
      this.pos += 1;
    }
  }

  /** Direct text of the open element (`literal` for CDATA); text outside the root is dropped unread. */
  private text(from: number, to: number, literal = false): void {
    const top = this.stack.length - 1;
    if (to <= from || top < 0) return;
    const length = (this.textLengths[top] ?? 0) + (to - from);
    if (length > XML_LIMITS.textLength) throw new XmlError(`XML text longer than ${XML_LIMITS.textLength} characters`);
    this.textLengths[top] = length;
    if (literal) {
      this.flushText();
      this.texts[top]?.push(this.input.slice(from, to));
    } else if (from === this.textTo) {
      this.textTo = to;
    } else {
      this.flushText();
      this.textFrom = from;
      this.textTo = to;
    }
  }

  /** Decode the pending text run into the open element's text; an entity never spans a `<`, so runs decode alone. */
  private flushText(): void {
    if (this.textFrom < 0) return;
    this.texts[this.texts.length - 1]?.push(decodeCounted(this.input.slice(this.textFrom, this.textTo), this));
    this.textFrom = -1;
    this.textTo = -1;
  }

  private cdata(): void {
    const from = this.pos + 9;
    const end = this.indexOf(']]>', from);
    this.text(from, end < 0 ? this.input.length : end, true);
    this.pos = end < 0 ? this.input.length : end + 3;
  }

  /** Skip a DOCTYPE with its internal subset; declared entities are never read, let alone expanded. */
  private doctype(): void {
    const { input } = this;
    let p = this.pos + 9;
    let quote = 0;
    let brackets = 0;
    for (; p < input.length; p++) {
      const c = input.charCodeAt(p);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (isQuote(c)) quote = c;
      else if (c === 91 /* [ */) brackets++;
      else if (c === 93 /* ] */) brackets = Math.max(0, brackets - 1);
      else if (c === 62 /* > */ && brackets === 0) break;
      else if (c === 60 /* < */ && input.startsWith('<!--', p)) {
        const end = input.indexOf('-->', p + 4);
        this.steps += (end < 0 ? input.length : end) - p;
        p = end < 0 ? input.length : end + 2;
      }
    }
    this.steps += p - this.pos;
    this.pos = Math.min(input.length, p + 1);
  }

  private endTag(): void {
    const { input } = this;
    const nameFrom = this.scan(this.pos + 2, isSpace);
    const nameTo = this.scan(nameFrom, isNameChar);
    const p = this.scan(nameTo, isSpace);
    if (p >= input.length) return this.truncated();
    if (input.charCodeAt(p) !== 62 /* > */ || nameTo === nameFrom) return this.skipPast('>', p);
    this.pos = p + 1;
    // Close up to the matching open element; a stray end tag with no match is ignored.
    const { name } = splitName(input.slice(nameFrom, nameTo));
    if ((this.openNames.get(name) ?? 0) === 0) return;
    let closed: XmlNode | undefined;
    while (this.stack.length > 0 && closed?.name !== name) closed = this.close();
  }

  private startTag(): void {
    const { input } = this;
    const start = this.pos;
    const nameTo = this.scan(start + 1, isNameChar);
    const qname = this.checkedName(start + 1, nameTo);
    const attrs: Record<string, string> = {};
    let count = 0;
    let p = nameTo;
    for (;;) {
      p = this.scan(p, isSpace);
      if (p >= input.length) return this.truncated();
      const c = input.charCodeAt(p);
      if (c === 62 /* > */ || (c === 47 /* / */ && input.charCodeAt(p + 1) === 62)) {
        this.pos = p + (c === 62 ? 1 : 2);
        return this.open(qname, attrs, c !== 62);
      }
      if (c === 60 /* < */) {
        // Not a tag after all (`a <b and c</x>`): what we read was text; go on from this '<'.
        this.text(start, p);
        this.pos = p;
        return;
      }
      if (c === 47 /* / */ || c === 61 /* = */) {
        p++;
        continue;
      }
      if (isQuote(c)) {
        // A quoted string where a name belongs: skip it.
        const close = this.indexOf(input[p] ?? '"', p + 1);
        if (close < 0) return this.truncated();
        p = close + 1;
        continue;
      }
      const attrTo = this.scan(p, isAttrNameChar);
      const attrName = this.checkedName(p, attrTo);
      p = this.scan(attrTo, isSpace);
      let value = '';
      if (input.charCodeAt(p) === 61 /* = */) {
        p = this.scan(p + 1, isSpace);
        if (p >= input.length) return this.truncated();
        let valueTo: number;
        if (isQuote(input.charCodeAt(p))) {
          valueTo = this.indexOf(input[p] ?? '"', p + 1);
          if (valueTo < 0) return this.truncated();
          p += 1;
        } else {
          valueTo = this.unquotedEnd(p);
        }
        if (valueTo - p > XML_LIMITS.attributeLength) throw new XmlError(`XML attribute longer than ${XML_LIMITS.attributeLength} characters`);
        value = decodeCounted(input.slice(p, valueTo), this);
        p = isQuote(input.charCodeAt(valueTo)) ? valueTo + 1 : valueTo;
      }
      if (++count > XML_LIMITS.attributesPerElement) throw new XmlError(`XML element with more than ${XML_LIMITS.attributesPerElement} attributes`);
      const key = attrName.startsWith('xmlns') ? attrName : splitName(attrName).name;
      // A plain object costs half a null-prototype one per element; the one key that would touch its prototype is dropped.
      if (key !== '__proto__') attrs[key] = value;
    }
  }

  /** An unquoted value ends at a space, `>`, `<` or `/>`. */
  private unquotedEnd(from: number): number {
    const { input } = this;
    let p = from;
    for (; p < input.length; p++) {
      const c = input.charCodeAt(p);
      if (isSpace(c) || c === 62 || c === 60 || (c === 47 && input.charCodeAt(p + 1) === 62)) break;
    }
    this.steps += p - from + 1;
    return p;
  }

  private checkedName(from: number, to: number): string {
    if (to - from > XML_LIMITS.nameLength) throw new XmlError(`XML name longer than ${XML_LIMITS.nameLength} characters`);
    return this.input.slice(from, to);
  }

  private open(qname: string, attrs: Record<string, string>, selfClosing: boolean): void {
    this.steps++;
    this.flushText();
    if (++this.elements > XML_LIMITS.elements) throw new XmlError(`XML with more than ${XML_LIMITS.elements} elements`);
    if (this.stack.length >= XML_LIMITS.depth) throw new XmlError(`XML nested deeper than ${XML_LIMITS.depth} elements`);
    const { prefix, name } = splitName(qname);
    const node: XmlNode = { name, prefix, attrs, children: [], text: '' };
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(node);
    else this.root = node;
    if (selfClosing) {
      if (!parent) this.finished = true;
      return;
    }
    this.stack.push(node);
    this.texts.push([]);
    this.textLengths.push(0);
    this.openNames.set(name, (this.openNames.get(name) ?? 0) + 1);
  }

  private close(): XmlNode {
    this.flushText();
    const node = this.stack.pop();
    const parts = this.texts.pop() ?? [];
    this.steps += 1 + (this.textLengths.pop() ?? 0);
    if (!node) throw new XmlError('internal: closing with no open element');
    node.text = parts.join('').trim();
    this.openNames.set(node.name, (this.openNames.get(node.name) ?? 1) - 1);
    if (this.stack.length === 0) this.finished = true;
    return node;
  }
}

/**
 * First node with this local name, the shallowest first (node itself, then its children, then
 * theirs), in document order within a depth.
 */
export function find(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (!node) return undefined;
  const queue: XmlNode[] = [node];
  for (let head = 0; head < queue.length; head++) {
    const n = queue[head];
    if (!n) break;
    if (n.name === name) return n;
    for (const c of n.children) queue.push(c);
  }
  return undefined;
}

/** Every descendant (node itself included) with this local name, in document order. */
export function findAll(node: XmlNode | undefined, name: string): XmlNode[] {
  const out: XmlNode[] = [];
  const pending: XmlNode[] = node ? [node] : [];
  for (let n = pending.pop(); n; n = pending.pop()) {
    if (n.name === name) out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) {
      const c = n.children[i];
      if (c) pending.push(c);
    }
  }
  return out;
}

/** Direct children with this local name. */
export function childrenNamed(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** Text of the first node with this name (see find), or undefined. */
export function textOf(node: XmlNode | undefined, name: string): string | undefined {
  return find(node, name)?.text;
}

/** Follow direct children by local names: path(profile, 'VideoEncoderConfiguration', 'Resolution'). */
export function path(node: XmlNode | undefined, ...names: string[]): XmlNode | undefined {
  let cur = node;
  for (const name of names) cur = cur?.children.find((c) => c.name === name);
  return cur;
}

/**
 * XML text for a node and its subtree (prefixes kept, attributes by the names stored), for
 * echoing parts of an answer back; `rootAttributes` is added verbatim to the root's start tag.
 */
export function serializeXml(node: XmlNode, rootAttributes = ''): string {
  const out: string[] = [];
  // Each entry is a node still to open, or the end tag of one whose children are all written.
  const pending: (XmlNode | string)[] = [node];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const qname = item.prefix ? `${item.prefix}:${item.name}` : item.name;
    out.push(`<${qname}`);
    for (const [key, value] of Object.entries(item.attrs)) out.push(` ${key}="${escapeXml(value)}"`);
    out.push(`${item === node ? rootAttributes : ''}>${escapeXml(item.text)}`);
    pending.push(`</${qname}>`);
    for (let i = item.children.length - 1; i >= 0; i--) {
      const c = item.children[i];
      if (c) pending.push(c);
    }
  }
  return out.join('');
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
