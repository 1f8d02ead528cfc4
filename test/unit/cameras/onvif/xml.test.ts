import { describe, expect, it } from 'vitest';
import { find, findAll, parseXml, parseXmlDocument, textOf, XmlError } from '../../../../src/cameras/onvif/xml.js';

describe('forgiving XML reader', () => {
  it('reads elements by local name, attributes, decoded text and CDATA', () => {
    const doc = parseXml('<?xml version="1.0"?><s:Envelope xmlns:s="x"><s:Body><tt:A tt:token="p&amp;1">a &lt;b&gt; &#65;&#x42;<![CDATA[ <raw> &amp; ]]></tt:A><B/></s:Body></s:Envelope>');
    expect(doc.name).toBe('Envelope');
    const a = find(doc, 'A');
    expect(a?.prefix).toBe('tt');
    expect(a?.attrs.token).toBe('p&1');
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
  });

  it('throws XmlError when there is no element at all, and never hangs on hostile input', () => {
    expect(() => parseXml('\u0000\u00ff<<<>>> &&& not xml')).toThrow(XmlError);
    expect(() => parseXml('')).toThrow(XmlError);
    const deep = '<a>'.repeat(5000) + 'x';
    expect(parseXmlDocument(deep).complete).toBe(false);
    const unterminated = '<a b="' + 'x'.repeat(100_000);
    expect(() => parseXml(unterminated)).toThrow(XmlError);
  });

  it('refuses answers above the size limit', () => {
    expect(() => parseXml('<a>' + ' '.repeat(5 * 1024 * 1024) + '</a>')).toThrow(/too large/);
  });
});
