import { describe, expect, it } from 'vitest';
import { AddressSet, clientKey, isAddressOrCidr } from '../../../src/core/net-address.js';

describe('client keys for the login lock-out', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2::5', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0001', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['not-an-address', 'not-an-address'],
  ])('%s → %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});

describe('address sets', () => {
  const set = new AddressSet(['127.0.0.2', '10.0.0.0/8', 'fd00::/8']);

  it.each([
    ['127.0.0.2', true],
    ['::ffff:127.0.0.2', true],
    ['10.200.3.4', true],
    ['fd12::1', true],
    ['127.0.0.1', false],
    ['11.0.0.1', false],
    ['fe80::1', false],
    ['garbage', false],
  ])('%s → %s', (address, inside) => {
    expect(set.has(address)).toBe(inside);
  });

  it('validates entries', () => {
    for (const ok of ['172.30.32.2', '172.30.32.0/23', '::1', 'fd00::/8']) expect(isAddressOrCidr(ok)).toBe(true);
    for (const bad of ['172.30.32.0/33', 'fd00::/129', 'localhost', '10.0.0.0/8/1', '10.0.0.0/x', '']) expect(isAddressOrCidr(bad)).toBe(false);
  });
});
