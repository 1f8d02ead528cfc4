/**
 * Hostile XML a camera could send, each kind generated at a chosen size. Shared by the XML
 * bench and the reader's unit and fuzz tests so both look at the same inputs.
 */

/** Repeat `unit` until the text is about `size` characters, between `head` and `tail`. */
function fill(head: string, unit: string, tail: string, size: number): string {
  const count = Math.max(1, Math.floor((size - head.length - tail.length) / unit.length));
  return head + unit.repeat(count) + tail;
}

const LAUGHS =
  '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']>';

export interface HostileXml {
  name: string;
  make(size: number): string;
}

export const HOSTILE_XML: HostileXml[] = [
  { name: 'deep nesting', make: (n) => fill('', '<a>', '', n) },
  { name: 'deep nesting, closed', make: (n) => fill('', '<a>', '', n / 2) + fill('', '</a>', '', n / 2) },
  { name: 'siblings', make: (n) => fill('<r>', '<a/>', '</r>', n) },
  { name: 'siblings with text', make: (n) => fill('<r>', '<item>value</item>', '</r>', n) },
  { name: 'one long attribute', make: (n) => fill('<r a="', 'x', '"/>', n) },
  { name: 'long attributes', make: (n) => fill('<r>', `<a b="${'x'.repeat(60_000)}"/>`, '</r>', n) },
  { name: 'many attributes', make: (n) => fill('<r', ' a="1"', '/>', n) },
  { name: 'unterminated attribute', make: (n) => fill('<r a="', 'x', '', n) },
  { name: 'unmatched quote, then elements', make: (n) => fill(`<r><a b="x>`, `<c d='1'>t</c>`, '</r>', n) },
  { name: 'unclosed tags', make: (n) => fill('<r>', '<a', '</r>', n) },
  { name: 'unclosed tags with spaces', make: (n) => fill('<r>', '<a b ', '</r>', n) },
  { name: 'lone <', make: (n) => fill('<r>', '<', '</r>', n) },
  { name: 'stray end tags', make: (n) => fill('<r>', '</a>', '</r>', n) },
  { name: 'mismatched end tags', make: (n) => fill('<r>', '<a><b></a>', '</r>', n) },
  { name: 'entity bomb (DOCTYPE)', make: (n) => fill(`${LAUGHS}<lolz>`, '&lol9;', '</lolz>', n) },
  { name: 'bare ampersands', make: (n) => fill('<r>', '&', '</r>', n) },
  { name: 'character references', make: (n) => fill('<r>', '&#x41;', '</r>', n) },
  { name: 'huge CDATA', make: (n) => fill('<r><![CDATA[', 'x', ']]></r>', n) },
  { name: 'unterminated comment', make: (n) => fill('<r><!--', '-', '', n) },
  // 4 MiB / 91 characters stays under the element limit: about the largest tree the reader builds.
  { name: 'siblings within the element limit', make: (n) => fill('<r>', `<item a="1">${'v'.repeat(72)}</item>`, '</r>', n) },
  { name: 'valid SOAP, many profiles', make: (n) => fill('<s:Envelope xmlns:s="x"><s:Body><trt:GetProfilesResponse>', PROFILE, '</trt:GetProfilesResponse></s:Body></s:Envelope>', n) },
];

const PROFILE =
  '<trt:Profiles token="p1" fixed="true"><tt:Name>main &amp; sub</tt:Name>' +
  '<tt:VideoEncoderConfiguration token="v1"><tt:Name>enc</tt:Name><tt:Encoding>H264</tt:Encoding>' +
  '<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration></trt:Profiles>';
