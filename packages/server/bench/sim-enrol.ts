// Enrolment of simulated agents through the public API, shared by sim-agents.ts (tunnel fleet, A4)
// and sim-pollers.ts (Async mode): per agent an environment, a join token, an Ed25519 key, POST enrol.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import https from 'node:https';

/** A simulated agent's identity: what it needs to sign its handshakes or polls. */
export interface SimIdentity {
  environmentId: number;
  agentId: number;
  privateKey: KeyObject;
}

/** One JSON POST on a keep-alive connection; resolves with the body, rejects unless `status`. */
export function postJson(
  agent: https.Agent,
  port: number,
  url: string,
  body: unknown,
  status: number,
  apiKey?: string,
): Promise<Record<string, unknown>> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: url,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          if (res.statusCode !== status)
            reject(new Error(`POST ${url}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
          else resolve(JSON.parse(text) as Record<string, unknown>);
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`POST ${url}: no answer within 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `work(i)` for i in [0, n) with at most `concurrency` in flight; rejects on the first failure. */
export async function pool(
  n: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
}

/** What to enrol: `environment` is merged into each POST /api/environments body (mode, interval). */
export interface EnrolJob {
  port: number;
  apiKey: string;
  count: number;
  concurrency: number;
  namePrefix: string;
  environment?: Record<string, unknown>;
}

/** Enrols `count` simulated agents, each in its own new environment; resolves in index order. */
export async function enrolSimAgents(j: EnrolJob): Promise<SimIdentity[]> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: j.concurrency, rejectUnauthorized: false });
  const identities: SimIdentity[] = new Array<SimIdentity>(j.count);
  try {
    await pool(j.count, j.concurrency, async (i) => {
      const name = `${j.namePrefix}-${i}`;
      const env = await postJson(
        agent,
        j.port,
        '/api/environments',
        { name, ...j.environment },
        201,
        j.apiKey,
      );
      const environmentId = env.id as number;
      const jt = await postJson(
        agent,
        j.port,
        `/api/environments/${environmentId}/join-tokens`,
        { ttl: 600 },
        201,
        j.apiKey,
      );
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const enrolled = await postJson(
        agent,
        j.port,
        '/api/agents/enrol',
        {
          token: jt.token,
          publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          hostname: name,
          agentVersion: '0.0.0-sim',
        },
        201,
      );
      identities[i] = { environmentId, agentId: enrolled.agentId as number, privateKey };
    });
  } finally {
    agent.destroy();
  }
  return identities;
}
