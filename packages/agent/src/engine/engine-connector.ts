// The container runtime behind the agent, seen as "something that answers Docker Engine API HTTP
// requests". Executors only talk to this interface, so tests and later runtimes (Swarm) can swap it.
import type { ClientRequest } from 'node:http';
import type { EngineInfo } from '@capstan/protocol';

/** One request to the engine; headers are already free of hop-by-hop fields. */
export interface EngineRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  /** A dedicated connection that is never reused (hijack/upgrade requests). */
  readonly dedicated?: boolean;
}

/** A Docker-compatible engine the agent serves the tunnel from. */
export interface EngineConnector {
  /** Starts a request (not yet ended): write the body, then end it; listen for response/upgrade/error. */
  request(request: EngineRequest): ClientRequest;
  /** Version facts for hello; undefined when the engine does not answer. */
  info(): Promise<EngineInfo | undefined>;
  /** Where the engine is, for logs. */
  describe(): string;
  /** Frees pooled connections. */
  close(): void;
}
