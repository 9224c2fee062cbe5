import { describe, expect, it } from 'vitest';
import { describeConnectionError } from './connection-errors.ts';

const url = 'https://127.0.0.1:9443';

describe('describeConnectionError', () => {
  it('suggests --ca-file or --insecure for a self-signed certificate', () => {
    const text = describeConnectionError(
      { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' },
      url,
    );
    expect(text).toContain('--ca-file');
    expect(text).toContain('--insecure');
    expect(text).toContain(url);
  });

  it('says a refused connection may mean the server is not running', () => {
    expect(describeConnectionError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, url)).toBe(
      `cannot connect to ${url}: connection refused (is the server running on that port?)`,
    );
  });

  it('names the host name mismatch', () => {
    expect(
      describeConnectionError(
        { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'Hostname/IP does not match' },
        url,
      ),
    ).toMatch(/not issued for this host name/);
  });

  it('falls back to the message and code', () => {
    expect(describeConnectionError({ code: 'EWEIRD', message: 'odd' }, url)).toBe(
      `cannot talk to ${url}: odd (EWEIRD)`,
    );
    expect(describeConnectionError({ message: 'odd' }, url)).toBe(`cannot talk to ${url}: odd`);
  });
});
