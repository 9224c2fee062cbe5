// The seam through which a deploy gets registry credentials for its images. The registries feature
// fills it (credentials per registry host, encrypted at rest); until then no credentials are sent
// and pulls are anonymous.
import type { RegistryAuth } from '@capstan/protocol';

/** Credentials the agent needs to pull `images` (references as the compose file names them) on the environment. */
export type RegistryAuthResolver = (environmentId: number, images: readonly string[]) => Promise<RegistryAuth[]>;

/** The resolver used until registries exist: no credentials. */
export const registryAuthFor: RegistryAuthResolver = () => Promise.resolve([]);
