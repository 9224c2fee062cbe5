import { describe, expect, it } from 'vitest';
import { containerName, formatPorts, shortId } from './container-format.ts';

describe('container formatting', () => {
  it('drops the leading slash of names', () => {
    expect(containerName('/web-1')).toBe('web-1');
    expect(containerName('db')).toBe('db');
  });

  it('writes ports like docker ps, once each', () => {
    expect(
      formatPorts([
        { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' },
        { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '::' },
        { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' },
        { privatePort: 5432, type: 'tcp' },
        { privatePort: 53, publicPort: 53, type: 'udp' },
      ]),
    ).toEqual(['0.0.0.0:8080→80/tcp', '[::]:8080→80/tcp', '5432/tcp', '53→53/udp']);
  });

  it('shortens ids', () => {
    expect(shortId('sha256:0123456789abcdef0123')).toBe('0123456789ab');
    expect(shortId('fedcba9876543210')).toBe('fedcba987654');
  });
});
