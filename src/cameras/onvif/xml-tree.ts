/**
 * The building half of the XML reader (see xml-reader.ts for the pass over the input): the tree
 * of XmlNode the reader's tags and text go into, with its bounds (XML_LIMITS) and its repairs
 * (a stray end tag is ignored, unclosed elements close at the end).
 */
import { decodeCounted, type StepMeter } from './xml-text.js';

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

/**
 * What one answer may hold. ONVIF answers are a few hundred elements and at most ~30 deep; the
 * element cap keeps the tree of a 4 MB answer to about 10 MB (some 180 bytes an element).
 */
export const XML_LIMITS = {
  depth: 200,
  elements: 50_000,
  attributesPerElement: 64,
  attributeLength: 64 * 1024,
  textLength: 1024 * 1024,
  nameLength: 256,
} as const;

export function splitName(qname: string): { prefix: string; name: string } {
  const i = qname.indexOf(':');
  return i < 0 ? { prefix: '', name: qname } : { prefix: qname.slice(0, i), name: qname.slice(i + 1) };
}

/** The tree under construction; every operation charges its work to the reader's meter. */
export class XmlTreeBuilder {
  /** The root element closed: nothing after it is read. */
  rootClosed = false;
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

  constructor(
    private readonly input: string,
    private readonly meter: StepMeter,
  ) {}

  /** Direct text of the open element (`literal` for CDATA); text outside the root is dropped unread. */
  text(from: number, to: number, literal = false): void {
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

  open(qname: string, attrs: Record<string, string>, selfClosing: boolean): void {
    this.meter.steps++;
    this.flushText();
    if (++this.elements > XML_LIMITS.elements) throw new XmlError(`XML with more than ${XML_LIMITS.elements} elements`);
    if (this.stack.length >= XML_LIMITS.depth) throw new XmlError(`XML nested deeper than ${XML_LIMITS.depth} elements`);
    const { prefix, name } = splitName(qname);
    const node: XmlNode = { name, prefix, attrs, children: [], text: '' };
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(node);
    else this.root = node;
    if (selfClosing) {
      if (!parent) this.rootClosed = true;
      return;
    }
    this.stack.push(node);
    this.texts.push([]);
    this.textLengths.push(0);
    this.openNames.set(name, (this.openNames.get(name) ?? 0) + 1);
  }

  /** An end tag: closes up to the matching open element; a stray end tag with no match is ignored. */
  end(qname: string): void {
    const { name } = splitName(qname);
    if ((this.openNames.get(name) ?? 0) === 0) return;
    let closed: XmlNode | undefined;
    while (this.stack.length > 0 && closed?.name !== name) closed = this.close();
  }

  /** The input ended: elements still open are closed; `complete` says whether there were none. */
  finish(): { root: XmlNode; complete: boolean } {
    const complete = this.stack.length === 0;
    while (this.stack.length > 0) this.close();
    if (!this.root) throw new XmlError('no XML element in the answer');
    return { root: this.root, complete };
  }

  /** Decode the pending text run into the open element's text; an entity never spans a `<`, so runs decode alone. */
  private flushText(): void {
    if (this.textFrom < 0) return;
    this.texts[this.texts.length - 1]?.push(decodeCounted(this.input.slice(this.textFrom, this.textTo), this.meter));
    this.textFrom = -1;
    this.textTo = -1;
  }

  private close(): XmlNode {
    this.flushText();
    const node = this.stack.pop();
    const parts = this.texts.pop() ?? [];
    this.meter.steps += 1 + (this.textLengths.pop() ?? 0);
    if (!node) throw new XmlError('internal: closing with no open element');
    node.text = parts.join('').trim();
    this.openNames.set(node.name, (this.openNames.get(node.name) ?? 1) - 1);
    if (this.stack.length === 0) this.rootClosed = true;
    return node;
  }
}
