import { describe, expect, it } from 'vitest';
import { uiLink } from '../../../src/core/links.js';

describe('uiLink', () => {
  it.each([
    ['http://pi:8080', ['clips', 'c1'], 'http://pi:8080/#/clips/c1'],
    ['http://pi:8080/', ['cameras', 'front-door'], 'http://pi:8080/#/cameras/front-door'],
    ['https://ha.example/api/hassio_ingress/abc', ['clips', 'a b/c'], 'https://ha.example/api/hassio_ingress/abc/#/clips/a%20b%2Fc'],
    ['http://pi:8080/?x=1#/queue', ['clips', 'c1'], 'http://pi:8080/#/clips/c1'],
    ['http://pi:8080', [], 'http://pi:8080/'],
  ])('%s + %j → %s', (base, route, expected) => {
    expect(uiLink(base, ...route)).toBe(expected);
  });

  it('is undefined without a public address', () => {
    expect(uiLink(undefined, 'clips', 'c1')).toBeUndefined();
  });
});
