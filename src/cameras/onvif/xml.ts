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

import { XmlReader, type XmlParseStats } from './xml-reader.js';
import { XML_LIMITS, XmlError, type XmlNode } from './xml-tree.js';
import { decodeEntities, escapeXml } from './xml-text.js';

export { decodeEntities, escapeXml, XML_LIMITS, XmlError, type XmlNode, type XmlParseStats };

/** Answers larger than this are not SOAP a camera should send; refuse instead of chewing memory. */
export const MAX_XML_BYTES = 4 * 1024 * 1024;

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

