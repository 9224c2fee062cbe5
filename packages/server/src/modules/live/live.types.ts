// Shapes shared by the live endpoints' dispatcher and its features.
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { AuditService } from '../audit/audit.service.ts';
import type { TunnelRegistry } from '../tunnel/tunnel.registry.ts';

/** The container a live endpoint is about. */
export interface LiveTarget {
  environmentId: number;
  containerId: string;
}

/** What a feature needs: the tunnel to reach the engine, the audit log, a logger. */
export interface FeatureDeps {
  tunnel: TunnelRegistry;
  audit: AuditService;
  log: FastifyBaseLogger;
}

/**
 * A feature's engine side, ready before the browser's upgrade is accepted (so engine refusals can
 * still answer plain HTTP). Exactly one of attach/abort is called.
 */
export interface LiveSession {
  /** The WebSocket is open: relay until either side ends. */
  attach(ws: WebSocket): void;
  /** The upgrade did not happen (browser gone, bad handshake): release the engine side. */
  abort(): void;
}

/** The error message a failed stream sends: switched to async, offline when the agent is gone, else an upstream failure. */
export function streamFailure(tunnel: TunnelRegistry, environmentId: number, code: string, message: string): { code: string; message: string } {
  if (tunnel.isAsync(environmentId)) {
    return { code: 'environment_async', message: `environment ${environmentId} was switched to Async mode: interactive features need Standard mode` };
  }
  if (!tunnel.link(environmentId)) return { code: 'environment_offline', message: `environment ${environmentId} went offline: its agent disconnected` };
  return { code: 'agent_upstream_error', message: `the engine stream failed (${code}${message ? `: ${message}` : ''})` };
}
