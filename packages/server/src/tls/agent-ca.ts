// The server's internal certificate authority for agent client certificates (optional mTLS):
// generated once in <dataDir>/agent-ca, it certifies each agent's own Ed25519 key at enrolment.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const CA_YEARS = 20;
/** Agent certificates outlive any sane rotation policy; revocation is enforced by the server's agent table. */
const AGENT_CERT_DAYS = 5 * 365;

/** A client certificate issued to an agent. */
export interface IssuedCertificate {
  certPem: string;
  /** Hex serial, stored with the agent. */
  serial: string;
}

/** The loaded CA: its certificate (the TLS listener's client CA) and the ability to issue. */
export interface AgentCa {
  readonly certPem: string;
  /** Certifies the agent's SPKI (base64 DER, Ed25519) as `CN=capstan-agent-<id>` for client authentication. */
  issue(agentId: number, spkiBase64: string): Promise<IssuedCertificate>;
}

/** The subject common name an agent's certificate carries. */
export function agentCommonName(agentId: number): string {
  return `capstan-agent-${agentId}`;
}

function pemKey(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`.replace('\n\n', '\n');
}

function serial(): string {
  // Positive 128-bit serial (top bit clear), as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

async function createCa(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now() - 60_000;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Capstan agent CA, O=Capstan',
    notBefore: new Date(now),
    notAfter: new Date(now + CA_YEARS * 365 * 86_400_000),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  writeFileSync(path.join(dir, 'ca.key'), pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), { mode: 0o600 });
  writeFileSync(path.join(dir, 'ca.pem'), cert.toString('pem'), { mode: 0o644 });
}

/** Loads the CA from `<dataDir>/agent-ca`, creating it on first start. */
export async function loadAgentCa(dataDir: string): Promise<AgentCa> {
  const dir = path.join(dataDir, 'agent-ca');
  if (!existsSync(path.join(dir, 'ca.pem')) || !existsSync(path.join(dir, 'ca.key'))) await createCa(dir);
  const certPem = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  const keyDer = createPrivateKey(readFileSync(path.join(dir, 'ca.key'))).export({ type: 'pkcs8', format: 'der' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', keyDer, ALG, false, ['sign']);
  const caCert = new x509.X509Certificate(certPem);
  return {
    certPem,
    async issue(agentId, spkiBase64) {
      const publicKey = await webcrypto.subtle.importKey('spki', Buffer.from(spkiBase64, 'base64'), { name: 'Ed25519' }, true, ['verify']);
      const s = serial();
      const now = Date.now() - 60_000;
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: s,
        subject: `CN=${agentCommonName(agentId)}`,
        issuer: caCert.subject,
        notBefore: new Date(now),
        notAfter: new Date(now + AGENT_CERT_DAYS * 86_400_000),
        signingAlgorithm: ALG,
        publicKey,
        signingKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
        ],
      });
      return { certPem: cert.toString('pem'), serial: s };
    },
  };
}

/** The SPKI (base64 DER) a PEM/DER certificate certifies. */
export function certificateSpki(cert: Buffer | string): string {
  return new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}
