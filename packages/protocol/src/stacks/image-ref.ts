// Image references the way Docker reads them (`[registry/]path[:tag][@digest]`), so the planner can
// match a service's image against an engine's RepoTags/RepoDigests and the agent can pick the
// registry credentials for a pull.

/** A parsed image reference. */
export interface ImageReference {
  /** Registry host[:port]; docker.io when the reference names none. */
  readonly registry: string;
  /** Repository path in the registry (library/busybox for Docker Hub's official images). */
  readonly path: string;
  /** Tag, or null when absent (a reference without tag or digest means `latest`). */
  readonly tag: string | null;
  /** Digest (sha256:…), or null. */
  readonly digest: string | null;
  /** The repository as Docker lists it in RepoTags/RepoDigests (busybox, user/app, reg:5000/app). */
  readonly familiar: string;
}

/** Parses `ref`; a reference without tag or digest is given tag `latest`, as Docker does. */
export function parseImageReference(ref: string): ImageReference {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : null;
  let name = at >= 0 ? ref.slice(0, at) : ref;
  let tag: string | null = null;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  // A colon before the last slash is a registry port (reg:5000/app), not a tag.
  if (colon > slash) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  if (tag === null && digest === null) tag = 'latest';
  const first = name.split('/')[0] ?? '';
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  let path = hasRegistry ? name.slice(first.length + 1) : name;
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  const familiar = registry === 'docker.io' ? path.replace(/^library\//, '') : `${registry}/${path}`;
  return { registry, path, tag, digest, familiar };
}

/** The registry host credentials are kept under, normalized (Docker Hub's many spellings → docker.io). */
export function normalizeRegistryHost(address: string): string {
  const host = address
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' || host === '' ? 'docker.io' : host;
}

/** Local image facts the matcher needs (a subset of the snapshot's image). */
export interface LocalImage {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
}

/**
 * The local image `ref` names: by digest (any RepoDigest with that digest), by image id
 * (sha256:…), or by tag; null when the engine does not have it.
 */
export function findLocalImage(images: readonly LocalImage[], ref: string): LocalImage | null {
  if (/^sha256:[0-9a-f]{64}$/.test(ref)) return images.find((i) => i.id === ref) ?? null;
  const r = parseImageReference(ref);
  if (r.digest !== null) {
    const wanted = `${r.familiar}@${r.digest}`;
    return images.find((i) => i.repoDigests.includes(wanted)) ?? images.find((i) => i.repoDigests.some((d) => d.endsWith(`@${r.digest}`))) ?? null;
  }
  const wanted = `${r.familiar}:${r.tag ?? 'latest'}`;
  return images.find((i) => i.repoTags.includes(wanted)) ?? null;
}
