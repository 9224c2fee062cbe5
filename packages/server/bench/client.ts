// The driver's own HTTPS calls to the server under test (readiness, logins, API keys): one fresh
// connection per call, self-signed certificate accepted. Load itself comes from loadgen.ts.
import https from 'node:https';

interface Reply {
  status: number;
  body: unknown;
}

/** One HTTPS request to 127.0.0.1:`port`: status and JSON (or text) body; rejects on transport errors. */
export function call(
  port: number,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  opts: { headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
): Promise<Reply> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: url,
        method,
        headers,
        agent: false,
        rejectUnauthorized: false,
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The reply's body as an object; rejects, naming `what`, unless the status is `status`. */
export async function expectOk(
  what: string,
  reply: Promise<Reply>,
  status = 200,
): Promise<Record<string, unknown>> {
  const r = await reply;
  if (r.status !== status)
    throw new Error(
      `${what}: expected HTTP ${status}, got ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`,
    );
  return r.body as Record<string, unknown>;
}

/** Logs in with a password; resolves with the session token, rejects (naming `what`) unless HTTP 200. */
export async function login(
  port: number,
  what: string,
  credentials: { username: string; password: string },
): Promise<string> {
  return (await expectOk(what, call(port, 'POST', '/api/auth/login', { body: credentials }))).token as string;
}

/** Creates an API key `name` for the session `token`; resolves with the key, rejects unless HTTP 201. */
export async function createApiKey(port: number, what: string, token: string, name: string): Promise<string> {
  const headers = { authorization: `Bearer ${token}` };
  return (await expectOk(what, call(port, 'POST', '/api/api-keys', { headers, body: { name } }), 201))
    .key as string;
}
