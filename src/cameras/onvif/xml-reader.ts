/**
 * The reading half of the XML reader (see xml.ts for the API callers use): one forward pass that
 * turns a camera's answer into tags and text for the tree (xml-tree.ts), repairing local damage
 * and refusing what passes XML_LIMITS.
 */
import { decodeCounted, isDigit, isLetter } from './xml-text.js';
import { XML_LIMITS, XmlError, XmlTreeBuilder, splitName, type XmlNode } from './xml-tree.js';

/** Work done by one parse, for tests that check it grows linearly with the input. */
export interface XmlParseStats {
  /** Characters examined plus tree operations; at most a small constant times the input length. */
  steps: number;
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
export class XmlReader {
  steps = 0;
  private pos = 0;
  private readonly tree: XmlTreeBuilder;
  /** The input ended inside markup. */
  private cutShort = false;

  constructor(private readonly input: string) {
    this.tree = new XmlTreeBuilder(input, this);
  }

  read(): { root: XmlNode; complete: boolean } {
    const { input } = this;
    while (!this.finished && this.pos < input.length) {
      const lt = this.indexOf('<', this.pos);
      this.tree.text(this.pos, lt < 0 ? input.length : lt);
      if (lt < 0) break;
      this.pos = lt;
      this.markup();
    }
    return this.tree.finish();
  }

  /** The root element closed, or the input ended inside markup. */
  private get finished(): boolean {
    return this.cutShort || this.tree.rootClosed;
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

  /**
   * Index of the quote closing the one at `open`, or -1 when the input holds none. A failed search
   * costs the rest of the input once per kind of quote: no later tag can hold that quote again.
   */
  private closingQuote(open: number): number {
    return this.indexOf(this.input.charCodeAt(open) === 34 ? '"' : "'", open + 1);
  }

  /** Not a tag after all (`a <b and c</x>`, `<b "hi</x>`): what was read is text; go on from `to`. */
  private notATag(from: number, to: number): void {
    this.tree.text(from, to);
    this.pos = to;
  }

  private skipPast(terminator: string, from: number): void {
    const at = this.indexOf(terminator, from);
    this.pos = at < 0 ? this.input.length : at + terminator.length;
  }

  /** The rest of the input is inside an unterminated tag: stop, leaving open elements open. */
  private truncated(): void {
    this.pos = this.input.length;
    this.cutShort = true;
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
      this.tree.text(this.pos, this.pos + 1);
      this.pos += 1;
    }
  }

  private cdata(): void {
    const from = this.pos + 9;
    const end = this.indexOf(']]>', from);
    this.tree.text(from, end < 0 ? this.input.length : end, true);
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
    this.tree.end(input.slice(nameFrom, nameTo));
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
        return this.tree.open(qname, attrs, c !== 62);
      }
      if (c === 60 /* < */) return this.notATag(start, p);
      if (c === 47 /* / */ || c === 61 /* = */) {
        p++;
        continue;
      }
      if (isQuote(c)) {
        // A quoted string where a name belongs: skip it.
        const close = this.closingQuote(p);
        if (close < 0) return this.notATag(start, p);
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
          valueTo = this.closingQuote(p);
          if (valueTo < 0) return this.notATag(start, p);
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
}
