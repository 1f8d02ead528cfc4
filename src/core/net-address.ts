import { BlockList, isIP, isIPv4 } from 'node:net';

/**
 * IP address helpers shared by the config schema and the web server: address lists (proxies,
 * the ingress proxy) and the key a login failure is counted under.
 */

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) → `192.0.2.1`; others unchanged. */
export function unmapIPv4(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m?.[1] ?? address;
}

function splitCidr(text: string): { address: string; prefix: number | undefined } | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined || isIP(address) === 0) return undefined;
  if (prefixText === undefined) return { address, prefix: undefined };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > (isIPv4(address) ? 32 : 128)) return undefined;
  return { address, prefix };
}

export function isAddressOrCidr(text: string): boolean {
  return splitCidr(text) !== undefined;
}

/** A set of addresses and CIDR blocks; IPv4-mapped IPv6 peers match their IPv4 entries. */
export class AddressSet {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const c = splitCidr(e);
      if (!c) throw new Error(`not an IP address or CIDR block: ${e}`);
      const family = isIPv4(c.address) ? 'ipv4' : 'ipv6';
      if (c.prefix === undefined) this.list.addAddress(c.address, family);
      else this.list.addSubnet(c.address, c.prefix, family);
    }
    this.size = entries.length;
  }

  has(address: string | undefined): boolean {
    if (address === undefined || this.size === 0) return false;
    const a = unmapIPv4(address);
    const family = isIP(a);
    if (family === 0) return false;
    return this.list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** The first four 16-bit groups of an IPv6 address (the /64), already validated by isIP. */
function ipv6Prefix64(address: string): number[] {
  // Zone ids (`fe80::1%eth0`) and an embedded IPv4 tail (`64:ff9b::1.2.3.4`) only touch the last 64 bits.
  const text = (address.split('%')[0] ?? '').replace(/\d{1,3}(?:\.\d{1,3}){3}$/, '0:0');
  const [head = '', rest] = text.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  const groups = rest === undefined ? h : [...h, ...new Array<number>(Math.max(0, 8 - h.length - r.length)).fill(0), ...r];
  return groups.slice(0, 4);
}

/**
 * The key a client's login failures are counted under: an IPv4 address as is, an IPv6 address
 * by its /64 (one home or one attacker gets a whole /64, so counting single addresses would
 * give an attacker 2^64 tries). Anything unparsable counts as itself.
 */
export function clientKey(address: string): string {
  const a = unmapIPv4(address);
  if (isIP(a) !== 6) return a;
  return `${ipv6Prefix64(a).map((x) => x.toString(16)).join(':')}::/64`;
}
