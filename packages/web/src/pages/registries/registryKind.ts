// What kind of registry a host is, for the list: well-known hosted registries by their address,
// anything else is a private (self-hosted) one. Only a label: nothing depends on it.

const KINDS: { test: RegExp; kind: string }[] = [
  { test: /^(docker\.io|index\.docker\.io|registry-1\.docker\.io)$/, kind: 'Docker Hub' },
  { test: /^ghcr\.io$/, kind: 'GitHub' },
  { test: /^registry\.gitlab\.com$/, kind: 'GitLab' },
  { test: /^quay\.io$/, kind: 'Quay' },
  { test: /^public\.ecr\.aws$/, kind: 'Amazon ECR Public' },
  { test: /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/, kind: 'Amazon ECR' },
  { test: /(^|\.)gcr\.io$|-docker\.pkg\.dev$/, kind: 'Google' },
  { test: /\.azurecr\.io$/, kind: 'Azure' },
];

/** "Docker Hub", "GitHub", … or "Private" for the host[:port] of a registry. */
export function registryKind(host: string): string {
  const name = host.toLowerCase().replace(/:\d+$/, '');
  return KINDS.find((k) => k.test.test(name))?.kind ?? 'Private';
}
