// Where the local container engine listens, parsed the way the docker tools read DOCKER_HOST.

/** The engine's API endpoint: a unix socket path or a plain-TCP host and port. */
export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/** Default engine socket when neither --docker-host nor DOCKER_HOST is given. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Parses `unix:///path`, `tcp://host[:port]` or a bare absolute socket path; returns an error message otherwise. */
export function parseDockerHost(value: string): DockerEndpoint | string {
  if (value.startsWith('/')) return { kind: 'unix', socketPath: value };
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) return `"${value}" must name an absolute socket path (unix:///path/to/docker.sock)`;
    return { kind: 'unix', socketPath };
  }
  if (value.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return `"${value}" is not a valid tcp://host:port address`;
    }
    if (url.pathname !== '' && url.pathname !== '/') return `"${value}" must not have a path`;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!host) return `"${value}" has no host`;
    return { kind: 'tcp', host, port: url.port ? Number(url.port) : 2375 };
  }
  return `"${value}" is not supported: use unix:///path/to/docker.sock or tcp://host:port`;
}

/** Human-readable form of an endpoint, for logs. */
export function describeEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.kind === 'unix' ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}`;
}
