// EngineConnector for a Docker engine on a unix socket or plain TCP, over node:http.
import { Agent, request as httpRequest, type ClientRequest } from 'node:http';
import type { EngineInfo } from '@capstan/protocol';
import { describeEndpoint, type DockerEndpoint } from '../config/docker-host.ts';
import type { EngineConnector, EngineRequest } from './engine-connector.ts';

const INFO_TIMEOUT_MS = 5_000;

/** Connects to the Docker engine at `endpoint`, pooling keep-alive connections for API calls. */
export function dockerEngine(endpoint: DockerEndpoint): EngineConnector {
  const pool = new Agent({ keepAlive: true, maxFreeSockets: 8 });
  const target = endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };

  const request = (r: EngineRequest): ClientRequest =>
    httpRequest({
      ...target,
      method: r.method,
      path: r.path,
      headers: r.headers,
      agent: r.dedicated ? false : pool,
      // Docker ignores Host on its socket, but Go's server wants one.
      setHost: true,
    });

  const info = (): Promise<EngineInfo | undefined> =>
    new Promise((resolve) => {
      const req = request({ method: 'GET', path: '/version', headers: {} });
      req.setTimeout(INFO_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(undefined));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => resolve(undefined));
        res.on('end', () => resolve(res.statusCode === 200 ? toEngineInfo(Buffer.concat(chunks).toString('utf8')) : undefined));
      });
      req.end();
    });

  return { request, info, describe: () => describeEndpoint(endpoint), close: () => pool.destroy() };
}

/** Maps the body of GET /version to EngineInfo; undefined when it lacks the version fields. */
export function toEngineInfo(body: string): EngineInfo | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const str = (x: unknown, max: number) => (typeof x === 'string' && x.length > 0 ? x.slice(0, max) : undefined);
  const version = str(o.Version, 64);
  const apiVersion = str(o.ApiVersion, 16);
  if (!version || !apiVersion) return undefined;
  const os = str(o.Os, 64);
  const arch = str(o.Arch, 64);
  return { version, apiVersion, ...(os ? { os } : {}), ...(arch ? { arch } : {}) };
}
