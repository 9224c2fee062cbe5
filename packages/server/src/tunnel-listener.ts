// The optional separate agent listener (--tunnel-port, e.g. 8000): for sites that open one port to
// agents and keep the API/UI port internal. It serves only what an agent needs.
import type http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { TlsOptions } from 'node:tls';
import { POLL_PATH } from '@capstan/protocol';

/** Paths an agent uses besides the tunnel upgrade: enrolment, its bundle, Async-mode polls, and health. */
const AGENT_PATHS: ReadonlySet<string> = new Set(['/api/agents/enrol', '/api/agents/capstan-agent.js', POLL_PATH, '/api/health']);
const AGENT_CONNECT = '/api/agents/connect';

function notHere(path: string): string {
  return JSON.stringify({
    type: 'https://capstan.dev/problems/route-not-found',
    title: 'Not Found',
    status: 404,
    code: 'route_not_found',
    detail: `${path} is not served on the agent tunnel port: use the API port`,
  });
}

/** An HTTPS server that hands agent requests to the app and answers 404 Problem JSON to anything else. */
export function createTunnelListener(
  tls: TlsOptions,
  handler: http.RequestListener,
  upgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void,
): https.Server {
  const server = https.createServer({ ...tls, allowHalfOpen: true }, (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (AGENT_PATHS.has(path)) {
      handler(req, res);
      return;
    }
    const body = notHere(path);
    res.writeHead(404, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path === AGENT_CONNECT) {
      upgrade(req, socket, head);
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  return server;
}
