// Registries over the API: credentials for private image registries, used by agents for
// authenticated pulls. The password is write-only: no answer ever carries it.
import { z } from 'zod';
import { parseRegistryAddress } from '../registry-host.ts';
import { IdSchema, NameSchema, TimestampSchema } from './common.ts';

/** A registry address as typed (`registry.example.com:5000`, `https://ghcr.io`); the server keeps host[:port]. */
export const RegistryHostSchema = z
  .string()
  .max(300, 'must be at most 300 characters')
  .refine(
    (v) => parseRegistryAddress(v) !== null,
    'must be a registry host[:port] as in image references (a dot or a port, e.g. registry.example.com:5000 or docker.io)',
  );

const RegistryUsernameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** Password or access token; stored encrypted, never shown again. */
const RegistryPasswordSchema = z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters');

/** Where a registry's credentials may be used; null (or absent) on create: every environment. */
export const RegistryScopeSchema = z.strictObject({
  environmentIds: z.array(IdSchema).max(100).default([]),
  groupIds: z.array(IdSchema).max(100).default([]),
});

export const RegistrySchema = z.object({
  id: IdSchema,
  name: z.string(),
  /** host[:port] as image references name it; docker.io for Docker Hub. */
  host: z.string(),
  username: z.string(),
  /** Plain HTTP or an unverified certificate is acceptable (the engines must list it in insecure-registries too). */
  insecure: z.boolean(),
  /** null: every environment; else only these environments and the environments of these groups. */
  scope: z.object({ environmentIds: z.array(IdSchema), groupIds: z.array(IdSchema) }).nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Registry = z.infer<typeof RegistrySchema>;

export const CreateRegistrySchema = z.strictObject({
  name: NameSchema,
  host: RegistryHostSchema,
  username: RegistryUsernameSchema,
  password: RegistryPasswordSchema,
  insecure: z.boolean().default(false),
  scope: RegistryScopeSchema.nullable().default(null),
});
export type CreateRegistry = z.infer<typeof CreateRegistrySchema>;

/** Fields to change; `password` replaces the stored one, `scope: null` opens the registry to every environment. */
export const UpdateRegistrySchema = z
  .strictObject({
    name: NameSchema.optional(),
    host: RegistryHostSchema.optional(),
    username: RegistryUsernameSchema.optional(),
    password: RegistryPasswordSchema.optional(),
    insecure: z.boolean().optional(),
    scope: RegistryScopeSchema.nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one field to change');
export type UpdateRegistry = z.infer<typeof UpdateRegistrySchema>;

export const RegistryListSchema = z.object({ items: z.array(RegistrySchema) });
export type RegistryList = z.infer<typeof RegistryListSchema>;

/** A successful check of the stored credentials against the registry's /v2/ endpoint. */
export const RegistryTestResultSchema = z.object({
  ok: z.literal(true),
  /** The URL that answered. */
  endpoint: z.string(),
  /** How the registry authenticates: basic, a bearer token service, or none (it asked for no credentials). */
  auth: z.enum(['basic', 'bearer', 'none']),
  checkedAt: TimestampSchema,
});
export type RegistryTestResult = z.infer<typeof RegistryTestResultSchema>;
