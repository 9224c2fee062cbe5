// What another page (a template) hands the new-stack page through router state: the compose text,
// files and variables to start from. Parsed, since router state is whatever history holds.
import { z } from 'zod';

export const NewStackPrefillSchema = z.object({
  name: z.string().max(63).optional(),
  environmentId: z.number().int().positive().optional(),
  compose: z.string(),
  files: z.array(z.object({ name: z.string(), content: z.string() })).default([]),
  variables: z.array(z.object({ name: z.string(), value: z.string(), secret: z.boolean() })).default([]),
  source: z.enum(['editor', 'upload', 'template']).default('template'),
  /** Shown as "From template …". */
  templateTitle: z.string().optional(),
});
export type NewStackPrefill = z.infer<typeof NewStackPrefillSchema>;

/** The prefill in router state, or null. */
export function readPrefill(state: unknown): NewStackPrefill | null {
  const parsed = z.object({ prefill: NewStackPrefillSchema }).safeParse(state);
  return parsed.success ? parsed.data.prefill : null;
}

/** A stack name made from a template title: "My App 2" → "my-app-2". */
export function nameFromTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 63);
}

/** The compose file a new stack starts with. */
export const EXAMPLE_COMPOSE = `services:
  web:
    image: nginx:1.27-alpine
    ports:
      - "\${WEB_PORT:-8080}:80"
    restart: unless-stopped
`;
