import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeXml, findAll, parseXmlDocument, serializeXml, XmlError, type XmlNode, type XmlParseStats } from '../../../src/cameras/onvif/xml.js';
import { fuzz } from './settings.js';

/** Pieces of XML, broken and whole, that hostile or buggy firmware strings together. */
const TOKENS = [
  '<', '>', '/>', '</', '<a', '<a>', '</a>', '<b/>', '<s:Envelope xmlns:s="u">', '</s:Envelope>', '<tt:Name>', '</tt:Name>',
  '<!--', '-->', '<![CDATA[', ']]>', '<?xml version="1.0"?>', '<?', '?>', '<!DOCTYPE r [', '<!ENTITY e "&e;&e;">', ']>', '<!',
  '"', "'", '=', ' x="1"', " y='2'", ' z=3', '&', '&amp;', '&lt;', '&#', '&#x', '&#x41;', '&#65;', '&#1114112;', ';', '&e;',
  ' ', '\n', '\t', '\u0000', '\ufeff', '\ud800', 'text', 'é',
];

const hostileXml = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) }), { maxLength: 300 })
  .map((parts) => parts.join(''));

/** The work bound the reader promises: a few steps per character, whatever the input. */
const PER_CHAR = 16;

/** Parse `input`: it either parses or fails with XmlError, in at most PER_CHAR steps per character. */
function parsesLinearly(input: string): void {
  const stats: XmlParseStats = { steps: 0 };
  try {
    parseXmlDocument(input, stats);
  } catch (err) {
    if (!(err instanceof XmlError)) throw err;
  }
  expect(stats.steps).toBeLessThanOrEqual(PER_CHAR * input.length + 16);
}

describe('fuzz: XML reader', () => {
  it('throws nothing but XmlError, and its work stays linear in the input', () => {
    fuzz('xml: hostile token soup', 2000, fc.property(hostileXml, fc.integer({ min: 1, max: 40 }), (xml, repeat) => {
      // Repeating the soup makes the linear bound bite on longer inputs too.
      const input = xml.repeat(repeat);
      const stats: XmlParseStats = { steps: 0 };
      try {
        const { root } = parseXmlDocument(input, stats);
        // The helpers must cope with whatever tree came out.
        findAll(root, 'a');
        serializeXml(root);
      } catch (err) {
        if (!(err instanceof XmlError)) throw err;
      }
      expect(stats.steps).toBeLessThanOrEqual(PER_CHAR * input.length + 16);
    }));
  });

  it('keeps work linear when a few pieces repeat thousands of times (where quadratic readers break)', () => {
    const unit = fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
    fuzz('xml: repeated pieces', 300, fc.property(fc.constantFrom('', '<r>', '<r a="'), unit, fc.integer({ min: 1000, max: 20_000 }), (head, piece, count) => {
      const input = head + piece.repeat(count);
      parsesLinearly(input);
    }));
  });

  it('throws nothing but XmlError on arbitrary strings', () => {
    fuzz('xml: arbitrary strings', 1000, fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (input) => {
      parsesLinearly(input);
    }));
  });
});

interface Tree {
  prefix: string;
  name: string;
  attrs: [string, string][];
  /** Text before each child and after the last: texts.length === children.length + 1. */
  texts: string[];
  children: Tree[];
}

const xmlName = fc.stringMatching(/^[A-Za-z_][\w.-]{0,8}$/);
const text = fc.string({ unit: 'binary', maxLength: 20 });
const tree = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc
    .record({
      prefix: fc.oneof(fc.constant(''), xmlName),
      name: xmlName,
      attrs: fc.uniqueArray(fc.tuple(xmlName, text), { maxLength: 4, selector: ([k]) => k }),
      children: fc.oneof({ maxDepth: 5, depthIdentifier: 'tree' }, fc.constant<Tree[]>([]), fc.array(tie('node'), { maxLength: 4 })),
    })
    .chain((n) => fc.array(text, { minLength: n.children.length + 1, maxLength: n.children.length + 1 }).map((texts) => ({ ...n, texts }))),
}));

/** How a tree is written: quoting, spacing, CDATA and character references chosen at random. */
interface Style {
  quote: string;
  space: string;
  cdata: boolean;
  charRefs: boolean;
  comments: boolean;
}

function writeText(t: string, style: Style): string {
  if (style.cdata && !t.includes(']]>')) return `<![CDATA[${t}]]>`;
  if (!style.charRefs) return escapeXml(t);
  let out = '';
  // NUL has no character reference in XML (the reader keeps `&#0;` literally), so it is written as it is.
  for (const ch of t) out += /[A-Za-z0-9 \0]/.test(ch) ? ch : `&#x${(ch.codePointAt(0) ?? 0).toString(16)};`;
  return out;
}

/** Written independently of serializeXml, so the reader is checked against a second writer. */
function write(n: Tree, style: Style): string {
  const qname = n.prefix ? `${n.prefix}:${n.name}` : n.name;
  const attrs = n.attrs.map(([k, v]) => ` ${k}${style.space}=${style.space}${style.quote}${escapeXml(v)}${style.quote}`).join('');
  let body = writeText(n.texts[0] ?? '', style);
  n.children.forEach((c, i) => {
    body += write(c, style) + (style.comments ? '<!-- c -->' : '') + writeText(n.texts[i + 1] ?? '', style);
  });
  return `<${qname}${attrs}${style.space}>${body}</${qname}${style.space}>`;
}

function expectSame(got: XmlNode, want: Tree): void {
  expect(got.name).toBe(want.name);
  expect(got.prefix).toBe(want.prefix);
  const attrs: Record<string, string> = {};
  for (const [k, v] of want.attrs) attrs[k === '__proto__' ? '' : k] = v;
  delete attrs[''];
  expect(got.attrs).toEqual(attrs);
  expect(got.text).toBe(want.texts.join('').trim());
  expect(got.children).toHaveLength(want.children.length);
  want.children.forEach((c, i) => expectSame(got.children[i] as XmlNode, c));
}

describe('fuzz: well-formed trees round-trip', () => {
  const style = fc.record({
    quote: fc.constantFrom('"', "'"),
    space: fc.constantFrom('', ' ', '\n\t'),
    cdata: fc.boolean(),
    charRefs: fc.boolean(),
    comments: fc.boolean(),
  });

  it('finds every name, attribute and text it was given', () => {
    fuzz('xml: random trees read back', 1000, fc.property(tree.node, style, (t, s) => {
      const { root, complete } = parseXmlDocument(`<?xml version="1.0"?>\n${write(t, s)}\n`);
      expect(complete).toBe(true);
      expectSame(root, t);
    }));
  });

  it('serializeXml writes trees the reader reads back unchanged', () => {
    fuzz('xml: serializeXml round trip', 500, fc.property(tree.node, (t) => {
      const first = parseXmlDocument(write(t, { quote: '"', space: '', cdata: false, charRefs: false, comments: false })).root;
      const again = parseXmlDocument(serializeXml(first));
      expect(again.complete).toBe(true);
      expect(again.root).toEqual(first);
    }));
  });
});
