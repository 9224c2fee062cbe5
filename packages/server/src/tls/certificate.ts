import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';

export interface CertificateFiles {
  cert: string;
  key: string;
  generated: boolean;
}

/**
 * The self-signed certificate in `<dataDir>/tls`, generated on first start and reused after,
 * so clients that pinned it keep working across restarts.
 */
export async function ensureSelfSigned(dataDir: string): Promise<CertificateFiles> {
  const dir = path.join(dataDir, 'tls');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  if (existsSync(cert) && existsSync(key)) return { cert, key, generated: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const host = hostname();
  const notBefore = new Date(Date.now() - 60_000);
  // Loaded only when a certificate must be made: it is a large dependency tree for a one-off.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: host || 'capstan' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(notBefore.getTime() + 5 * 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          ...(host && host !== 'localhost' ? [{ type: 2 as const, value: host }] : []),
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  writeFileSync(key, pems.private, { mode: 0o600 });
  writeFileSync(cert, pems.cert, { mode: 0o644 });
  return { cert, key, generated: true };
}

/** SHA-256 fingerprint of a PEM certificate file, as clients show it. */
export function fingerprint(certFile: string): string {
  return new X509Certificate(readFileSync(certFile)).fingerprint256;
}
