import type { SecureContextOptions, TlsOptions } from 'node:tls';

// TLS 1.2 only with forward-secret AEAD suites (ECDHE first and only); TLS 1.3 suites are Node's defaults.
const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The server's TLS policy: TLS 1.2 minimum, our cipher order, HTTP/1.1 only. */
export function tlsPolicy(): TlsOptions & SecureContextOptions {
  return {
    minVersion: 'TLSv1.2',
    ciphers: CIPHERS,
    honorCipherOrder: true,
    ALPNProtocols: ['http/1.1'],
  };
}
