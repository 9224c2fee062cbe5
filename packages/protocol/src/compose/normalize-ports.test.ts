import { describe, expect, it } from 'vitest';
import { parseShortPort } from './normalize-ports.ts';

describe('parseShortPort', () => {
  it.each([
    ['80', { target: 80, targetEnd: 80, published: null, hostIp: null, protocol: 'tcp' }],
    ['8080:80', { target: 80, targetEnd: 80, published: '8080', hostIp: null, protocol: 'tcp' }],
    [
      '127.0.0.1:8080:80/udp',
      { target: 80, targetEnd: 80, published: '8080', hostIp: '127.0.0.1', protocol: 'udp' },
    ],
    ['127.0.0.1::80', { target: 80, targetEnd: 80, published: null, hostIp: '127.0.0.1', protocol: 'tcp' }],
    ['[::1]:8080:80', { target: 80, targetEnd: 80, published: '8080', hostIp: '::1', protocol: 'tcp' }],
    [
      '8000-8010:8000-8010',
      { target: 8000, targetEnd: 8010, published: '8000-8010', hostIp: null, protocol: 'tcp' },
    ],
    ['9000-9010:80', { target: 80, targetEnd: 80, published: '9000-9010', hostIp: null, protocol: 'tcp' }],
    ['3000-3005', { target: 3000, targetEnd: 3005, published: null, hostIp: null, protocol: 'tcp' }],
    ['132:132/SCTP', { target: 132, targetEnd: 132, published: '132', hostIp: null, protocol: 'sctp' }],
  ])('%s', (text, spec) => {
    expect(parseShortPort(text)).toEqual(spec);
  });

  it.each([
    '123abc',
    '0',
    '70000',
    '80:80:80:80',
    '8080:80/icmp',
    '1.2.3:80:80',
    '8000-8002:9000-9001',
    '10-5',
    'a:80',
    '',
  ])('rejects %j', (text) => {
    expect(typeof parseShortPort(text)).toBe('string');
  });
});
