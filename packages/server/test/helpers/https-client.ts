import https from 'node:https';
import http from 'node:http';

export interface Fetched {
  status: number;
  body: any;
  fingerprint: string | null;
  protocol: string | null;
}

/** One request on a fresh connection (so certificate changes are seen), trusting any certificate. */
export function fetchJson(url: string, opts: { method?: string; body?: unknown; token?: string } = {}): Promise<Fetched> {
  const u = new URL(url);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = {};
  if (payload) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      { method: opts.method ?? 'GET', headers, agent: false, rejectUnauthorized: false, timeout: 10_000 },
      (res) => {
        const sock = res.socket as import('node:tls').TLSSocket;
        const fingerprint = typeof sock.getPeerCertificate === 'function' ? sock.getPeerCertificate().fingerprint256 : null;
        const protocol = typeof sock.getProtocol === 'function' ? sock.getProtocol() : null;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body, fingerprint, protocol });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}
