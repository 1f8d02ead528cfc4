import { describe, expect, it } from 'vitest';
import { HOSTILE_XML } from '../../../../bench/xml-corpus.js';
import {
  childrenNamed,
  decodeEntities,
  escapeXml,
  find,
  findAll,
  parseXml,
  parseXmlDocument,
  path,
  serializeXml,
  textOf,
  XML_LIMITS,
  XmlError,
  type XmlNode,
  type XmlParseStats,
} from '../../../../src/cameras/onvif/xml.js';

describe('forgiving XML reader', () => {
  it('reads elements by local name, attributes, decoded text and CDATA', () => {
    const doc = parseXml('<?xml version="1.0"?><s:Envelope xmlns:s="x"><s:Body><tt:A tt:token="p&amp;1">a &lt;b&gt; &#65;&#x42;<![CDATA[ <raw> &amp; ]]></tt:A><B/></s:Body></s:Envelope>');
    expect(doc.name).toBe('Envelope');
    expect(doc.attrs).toEqual({ 'xmlns:s': 'x' });
    const a = find(doc, 'A');
    expect(a?.prefix).toBe('tt');
    expect(a?.attrs).toEqual({ token: 'p&1' });
    expect(a?.text).toBe('a <b> AB <raw> &amp;');
    expect(findAll(doc, 'B')).toHaveLength(1);
  });

  it('repairs what sloppy firmwares send: bare &, stray end tags, garbage after the root', () => {
    const { root, complete } = parseXmlDocument("<a><name>Tom & Jerry's <cam></name></stray><v>1</v></a>\u0000junk<b/>");
    expect(complete).toBe(true);
    expect(textOf(root, 'name')).toBe("Tom & Jerry's");
    expect(textOf(root, 'v')).toBe('1');
  });

  it('flags a truncated document as incomplete but still returns what it read', () => {
    const { root, complete } = parseXmlDocument('<Envelope><Body><R><CurrentTime>2024-');
    expect(complete).toBe(false);
    expect(textOf(root, 'CurrentTime')).toBe('2024-');
    // Cut inside a start tag, an attribute value or an end tag: the same.
    for (const cut of ['<E><B><R a="1', '<E><B><R a', '<E><B></B', '<E><B/><R ']) {
      const doc = parseXmlDocument(cut);
      expect(doc.complete, cut).toBe(false);
      expect(doc.root.name).toBe('E');
    }
  });

  it('throws XmlError when there is no element at all', () => {
    expect(() => parseXml('\u0000\u00ff<<<>>> &&& not xml')).toThrow(XmlError);
    expect(() => parseXml('')).toThrow(XmlError);
    expect(() => parseXml('<!-- only a comment -->')).toThrow(XmlError);
    const unterminated = '<a b="' + 'x'.repeat(100_000);
    expect(() => parseXml(unterminated)).toThrow(XmlError);
  });

  it('keeps a < that opens no tag as text, and reads on from the next one', () => {
    const doc = parseXml('<r><n>a < b <= c <3 a<b and c</n><m>x</m></r>');
    expect(textOf(doc, 'n')).toBe('a < b <= c <3 a<b and c');
    expect(textOf(doc, 'm')).toBe('x');
  });

  it('reads a tag whose quote never closes as text, and the tags after it as tags', () => {
    const { root, complete } = parseXmlDocument(`<r><n>Bob<b 's</n><a b="x></a><m>y</m></r>`);
    expect(complete).toBe(true);
    expect(textOf(root, 'n')).toBe("Bob<b 's");
    expect(root.text).toBe('<a b="x>');
    expect(textOf(root, 'm')).toBe('y');
  });

  it('reads unquoted and valueless attributes, > inside quotes, and self-closing tags', () => {
    const doc = parseXml(`<r><a href=x/><b v = '1>2' flag c="&quot;q&quot;" d=y>t</b></r>`);
    expect(find(doc, 'a')?.attrs).toEqual({ href: 'x' });
    expect(find(doc, 'a')?.children).toEqual([]);
    expect(find(doc, 'b')?.attrs).toEqual({ v: '1>2', flag: '', c: '"q"', d: 'y' });
    expect(textOf(doc, 'b')).toBe('t');
  });

  it('gives attacker-chosen names no hold on object prototypes', () => {
    const doc = parseXml('<r __proto__="x" constructor="y" toString="z">&valueOf; &toString; &constructor;</r>');
    expect(Object.getPrototypeOf(doc.attrs)).toBe(Object.prototype);
    expect(Object.keys(doc.attrs)).toEqual(['constructor', 'toString']);
    expect(doc.text).toBe('&valueOf; &toString; &constructor;');
  });

  it('skips comments, processing instructions and a DOCTYPE whose entities it never expands', () => {
    const laughs =
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;"><!-- a > in a comment -->' +
      '<!ENTITY gt2 "a > b"><!ATTLIST r a CDATA "]>">]>';
    const doc = parseXml(`<?xml version="1.0"?>${laughs}<?pi x?><r><!-- <x/> -->&lol2;<?y <z/> ?>&lt;</r>`);
    expect(doc.name).toBe('r');
    expect(doc.children).toEqual([]);
    expect(doc.text).toBe('&lol2;<');
  });

  it('decodes only well-formed references and leaves the rest literal', () => {
    expect(decodeEntities('&lt;&gt;&amp;&quot;&apos;')).toBe(`<>&"'`);
    expect(decodeEntities('&#x1F600;&#128512;&#0;&#x110000;&#12345678;&#xZZ;')).toBe('😀😀&#0;&#x110000;&#12345678;&#xZZ;');
    expect(decodeEntities('a && b & c; &amp &nbsp; &;')).toBe('a && b & c; &amp &nbsp; &;');
  });

  it('stops at the end of the root, so bytes after it cost no elements', () => {
    const junk = '<b/>'.repeat(XML_LIMITS.elements + 10);
    const { root, complete } = parseXmlDocument(`<a><c/></a>${junk}`);
    expect(complete).toBe(true);
    expect(root.children.map((c) => c.name)).toEqual(['c']);
    expect(parseXml('<a/><b/>').name).toBe('a');
  });
});

describe('XML limits: refused with XmlError, never expanded or half-read', () => {
  const cases: [string, string, RegExp][] = [
    ['total size', '<a>' + ' '.repeat(5 * 1024 * 1024) + '</a>', /too large/],
    ['depth', '<a>'.repeat(XML_LIMITS.depth + 1), /deeper than/],
    ['element count', '<r>' + '<a/>'.repeat(XML_LIMITS.elements) + '</r>', /more than \d+ elements/],
    ['attributes per element', '<r' + ' a="1"'.repeat(XML_LIMITS.attributesPerElement + 1) + '/>', /more than \d+ attributes/],
    ['attribute length', `<r a="${'x'.repeat(XML_LIMITS.attributeLength + 1)}"/>`, /attribute longer/],
    ['text length', `<r>${'x'.repeat(XML_LIMITS.textLength / 2)}<a/>${'x'.repeat(XML_LIMITS.textLength / 2 + 1)}</r>`, /text longer/],
    ['CDATA length', `<r><![CDATA[${'x'.repeat(XML_LIMITS.textLength + 1)}]]></r>`, /text longer/],
    ['name length', `<${'a'.repeat(XML_LIMITS.nameLength + 1)}/>`, /name longer/],
  ];
  it.each(cases)('%s', (_kind, input, message) => {
    expect(() => parseXmlDocument(input)).toThrow(XmlError);
    expect(() => parseXmlDocument(input)).toThrow(message);
  });

  it('accepts what is just inside every limit', () => {
    const deep = parseXmlDocument('<a>'.repeat(XML_LIMITS.depth) + '</a>'.repeat(XML_LIMITS.depth));
    expect(deep.complete).toBe(true);
    expect(findAll(deep.root, 'a')).toHaveLength(XML_LIMITS.depth);
    const wide = parseXml('<r>' + '<a/>'.repeat(XML_LIMITS.elements - 1) + '</r>');
    expect(wide.children).toHaveLength(XML_LIMITS.elements - 1);
    const attrs = parseXml('<r' + Array.from({ length: XML_LIMITS.attributesPerElement }, (_, i) => ` a${i}="${i}"`).join('') + '/>');
    expect(Object.keys(attrs.attrs)).toHaveLength(XML_LIMITS.attributesPerElement);
  });
});

describe('XML reader work is linear in the input', () => {
  const sizes = [4096, 65_536, 1 << 20, 4 << 20];
  /** Steps per input character; the reader looks at each character a few times at most. */
  const PER_CHAR = 16;

  it.each(HOSTILE_XML.map((h) => [h.name, h] as const))('%s', (_name, hostile) => {
    for (const size of sizes) {
      const input = hostile.make(size);
      const stats: XmlParseStats = { steps: 0 };
      try {
        parseXmlDocument(input, stats);
      } catch (err) {
        expect(err).toBeInstanceOf(XmlError);
      }
      expect(stats.steps, `${size} characters`).toBeGreaterThan(0);
      expect(stats.steps, `${size} characters`).toBeLessThanOrEqual(PER_CHAR * input.length);
    }
  });

  it('counts the work it does: a 4x larger input costs about 4x the steps', () => {
    const steps = (n: number): number => {
      const stats: XmlParseStats = { steps: 0 };
      parseXmlDocument('<r>' + '<a b="1">t &amp; u</a>'.repeat(n) + '</r>', stats);
      return stats.steps;
    };
    const ratio = steps(40_000) / steps(10_000);
    expect(ratio).toBeGreaterThan(3.9);
    expect(ratio).toBeLessThan(4.1);
  });
});

/** A chain of `depth` nested nodes, built by hand: deeper than the parser allows, to test the walkers. */
function chain(depth: number, leafName: string): XmlNode {
  const root: XmlNode = { name: 'n0', prefix: '', attrs: {}, children: [], text: '' };
  let cur = root;
  for (let i = 1; i < depth; i++) {
    const next: XmlNode = { name: i === depth - 1 ? leafName : `n${i % 3}`, prefix: '', attrs: {}, children: [], text: String(i) };
    cur.children.push(next);
    cur = next;
  }
  return root;
}

describe('tree helpers', () => {
  const doc = parseXml('<r><a><x>deep</x></a><b><x>second</x></b><x>shallow</x></r>');

  it('find takes the shallowest match, then document order; findAll returns document order', () => {
    expect(find(doc, 'x')?.text).toBe('shallow');
    expect(textOf(doc, 'x')).toBe('shallow');
    expect(findAll(doc, 'x').map((n) => n.text)).toEqual(['deep', 'second', 'shallow']);
    expect(find(doc, 'nope')).toBeUndefined();
    expect(find(undefined, 'x')).toBeUndefined();
    expect(findAll(undefined, 'x')).toEqual([]);
    expect(childrenNamed(doc, 'x').map((n) => n.text)).toEqual(['shallow']);
    expect(path(doc, 'b', 'x')?.text).toBe('second');
    expect(path(doc, 'b', 'y')).toBeUndefined();
  });

  it('walks 300,000-deep and 300,000-wide trees without recursion', () => {
    const deep = chain(300_000, 'leaf');
    expect(find(deep, 'leaf')?.text).toBe('299999');
    expect(findAll(deep, 'n1')).toHaveLength(100_000);
    expect(serializeXml(deep).length).toBeGreaterThan(300_000 * 7);
    const wide: XmlNode = { name: 'r', prefix: '', attrs: {}, children: [], text: '' };
    for (let i = 0; i < 300_000; i++) wide.children.push({ name: i === 299_999 ? 'last' : 'a', prefix: '', attrs: {}, children: [], text: '' });
    expect(find(wide, 'last')).toBe(wide.children[299_999]);
    expect(findAll(wide, 'a')).toHaveLength(299_999);
  });

  it('serializeXml writes what parseXml reads back, with extra attributes on the root', () => {
    const src = parseXml(`<w:Ref xmlns:w="u"><w:Id a="1 &amp; 2" b='"'>x &lt; y</w:Id><Sub/></w:Ref>`);
    const xml = serializeXml(src, ' w:IsReferenceParameter="true"');
    expect(xml).toBe('<w:Ref xmlns:w="u" w:IsReferenceParameter="true"><w:Id a="1 &amp; 2" b="&quot;">x &lt; y</w:Id><Sub></Sub></w:Ref>');
    const again = parseXml(xml);
    expect(find(again, 'Id')).toEqual(find(src, 'Id'));
    expect(escapeXml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&apos;');
  });
});
