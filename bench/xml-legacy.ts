/**
 * The XML reader clipgate used before issue 16, kept unchanged (parse only) so the XML bench can
 * show the old and new times side by side. Quadratic on hostile input: never use it in src/.
 */

interface XmlNode {
  /** Local name, without namespace prefix. */
  name: string;
  /** Namespace prefix as written (`tt` in `tt:Profile`), or ''. */
  prefix: string;
  /** Attributes by local name (prefixes dropped; `xmlns` declarations kept as `xmlns:x`). */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Concatenated direct text content, entities decoded, trimmed. */
  text: string;
}

class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

/** Answers larger than this are not SOAP a camera should send; refuse instead of chewing memory. */
const MAX_XML_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 200;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref] ?? whole;
  });
}

function splitName(qname: string): { prefix: string; name: string } {
  const i = qname.indexOf(':');
  return i < 0 ? { prefix: '', name: qname } : { prefix: qname.slice(0, i), name: qname.slice(i + 1) };
}

const ATTR = /([^\s=/>]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

function parseAttrs(src: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of src.matchAll(ATTR)) {
    const qname = m[1] ?? '';
    const value = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
    const key = qname.startsWith('xmlns') ? qname : splitName(qname).name;
    if (key !== '') attrs[key] = value;
  }
  return attrs;
}

function newNode(qname: string, attrSrc: string): XmlNode {
  const { prefix, name } = splitName(qname);
  return { name, prefix, attrs: parseAttrs(attrSrc), children: [], text: '' };
}

/** Index just past the end of a markup construct starting at i, or the input length if unterminated. */
function skipTo(xml: string, from: number, terminator: string): number {
  const end = xml.indexOf(terminator, from);
  return end < 0 ? xml.length : end + terminator.length;
}

const START_TAG = /^<([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/;
const END_TAG = /^<\/\s*([A-Za-z_][\w.:-]*)\s*>/;

/**
 * Like parseXml, and also says whether the document was complete: `complete` is false when
 * elements were still open at the end of input (a truncated answer), which callers should not
 * trust, unlike local damage such as a stray end tag or a bare `&`, which is repaired.
 */
export function legacyParseXmlDocument(input: string): { root: XmlNode; complete: boolean } {
  if (input.length > MAX_XML_BYTES) throw new XmlError(`XML too large (${input.length} bytes)`);
  const root: XmlNode = { name: '#document', prefix: '', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  const texts: string[][] = [[]];
  const top = (): XmlNode => stack[stack.length - 1] ?? root;
  const closeTop = (): void => {
    const node = stack.pop();
    const parts = texts.pop();
    if (node && parts) node.text = decodeEntities(parts.join('')).trim();
  };
  let i = 0;
  while (i < input.length) {
    const lt = input.indexOf('<', i);
    const textEnd = lt < 0 ? input.length : lt;
    if (textEnd > i) texts[texts.length - 1]?.push(input.slice(i, textEnd));
    if (lt < 0) break;
    i = lt;
    const rest = input.slice(i, i + 2);
    if (input.startsWith('<!--', i)) i = skipTo(input, i + 4, '-->');
    else if (input.startsWith('<![CDATA[', i)) {
      const end = input.indexOf(']]>', i + 9);
      const stop = end < 0 ? input.length : end;
      // CDATA is literal: store with entity-looking text escaped so decodeEntities leaves it alone.
      texts[texts.length - 1]?.push(input.slice(i + 9, stop).replace(/&/g, '&amp;'));
      i = end < 0 ? input.length : end + 3;
    } else if (rest === '<?') i = skipTo(input, i + 2, '?>');
    else if (rest === '<!') i = skipTo(input, i + 2, '>');
    else if (rest === '</') {
      const m = END_TAG.exec(input.slice(i, i + 512));
      if (!m) {
        i = skipTo(input, i + 2, '>');
        continue;
      }
      i += m[0].length;
      // Close up to the matching open element; a stray end tag with no match is ignored.
      const name = splitName(m[1] ?? '').name;
      const depth = stack.map((n) => n.name).lastIndexOf(name);
      if (depth > 0) while (stack.length > depth) closeTop();
    } else {
      const m = START_TAG.exec(input.slice(i, i + 65536));
      if (!m) {
        // A lone '<' in text (broken escaping): keep it as text.
        texts[texts.length - 1]?.push('<');
        i += 1;
        continue;
      }
      i += m[0].length;
      const node = newNode(m[1] ?? '', m[2] ?? '');
      top().children.push(node);
      if (m[3] !== '/' && stack.length < MAX_DEPTH) {
        stack.push(node);
        texts.push([]);
      }
    }
  }
  const complete = stack.length === 1;
  while (stack.length > 1) closeTop();
  const doc = root.children[0];
  if (!doc) throw new XmlError('no XML element in the answer');
  return { root: doc, complete };
}
