// Certificates the agent's TLS tests share: a server certificate for localhost, and an agent CA with
// one client certificate it issued (as the Capstan server's internal agent CA does for mTLS).
import { generate } from 'selfsigned';

/** PEM texts: the server's certificate and key, the agent CA, and a client certificate and key it issued. */
export interface TestPems {
  cert: string;
  key: string;
  agentCa: string;
  clientCert: string;
  clientKey: string;
}

/** Makes a fresh set of TestPems (EC keys: fast to generate). */
export async function makeTestPems(): Promise<TestPems> {
  const server = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256' });
  const ca = await generate([{ name: 'commonName', value: 'test agent CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true },
    ],
    clientCertificate: { cn: 'agent-7' },
  });
  return { cert: server.cert, key: server.private, agentCa: ca.cert, clientCert: ca.clientcert!, clientKey: ca.clientprivate! };
}
