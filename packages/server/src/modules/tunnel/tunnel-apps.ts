// Features that talk to agents over the tunnel (commands, snapshots) plug in as TunnelApps; and how
// a connection's verified client certificate (optional mTLS) is read.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AgentAppFrame, ServerAppFrame } from '@capstan/protocol';
import { certificateSpki } from '../../tls/agent-ca.ts';

/** What an application handler learns about the connection a frame came on. */
export interface AppLink {
  readonly environmentId: number;
  readonly agentId: number;
  /** Identifies this connection (a reconnect gets a new one). */
  readonly connection: number;
  has(capability: string): boolean;
  send(frame: ServerAppFrame): boolean;
}

/** A feature that talks to agents over the tunnel (commands, snapshots). */
export interface TunnelApp {
  /** The agent's connection is live (welcome sent); push what it should have. */
  connected?(link: AppLink): void;
  /** The agent's connection for this environment ended (not when superseded by a newer one). */
  disconnected?(environmentId: number): void;
  /** An application frame from the agent; throw nothing: failures are the app's to log. */
  frame?(link: AppLink, frame: AgentAppFrame): void;
}

/** SPKI (base64 DER) of the client certificate the TLS layer verified against the agent CA, or null. */
export function verifiedClientCertSpki(req: IncomingMessage): string | null {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return null;
  const raw = socket.getPeerCertificate().raw as Buffer | undefined;
  if (!raw || raw.length === 0) return null;
  try {
    return certificateSpki(raw);
  } catch {
    return null;
  }
}
