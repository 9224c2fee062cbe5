// The Git source form's state and the API bodies made from it. Pure (the random webhook secret
// uses Web Crypto, present in browsers and Node).
import type { CreateGitSource, GitAuthInput, GitSource, UpdateGitSource } from '@capstan/protocol';

export type AuthChoice = 'keep' | 'none' | 'token' | 'ssh';

export interface GitFormState {
  url: string;
  ref: string;
  composePath: string;
  extraPaths: string[];
  pollIntervalSeconds: number;
  auth: AuthChoice;
  username: string;
  token: string;
  privateKey: string;
  webhook: boolean;
}

/** A new form, or one holding an existing source's settings (its credentials kept). */
export function initialForm(source?: GitSource): GitFormState {
  return {
    url: source?.url ?? '',
    ref: source?.ref ?? 'main',
    composePath: source?.composePath ?? 'compose.yaml',
    extraPaths: source?.extraPaths ?? [],
    pollIntervalSeconds: source?.pollIntervalSeconds ?? 300,
    auth: source ? 'keep' : 'none',
    username: source?.auth.username ?? 'x-access-token',
    token: '',
    privateKey: '',
    webhook: source?.webhook.enabled ?? true,
  };
}

function authOf(form: GitFormState): GitAuthInput | undefined {
  switch (form.auth) {
    case 'keep':
      return undefined;
    case 'none':
      return { kind: 'none' };
    case 'token':
      return { kind: 'token', username: form.username.trim() || 'x-access-token', token: form.token };
    case 'ssh':
      return { kind: 'ssh', privateKey: form.privateKey };
  }
}

/** Body of POST /api/stacks/:id/git (a webhook: the server makes the secret and answers it once). */
export function createBody(form: GitFormState): CreateGitSource {
  return {
    url: form.url.trim(),
    ref: form.ref.trim(),
    composePath: form.composePath.trim(),
    extraPaths: form.extraPaths,
    auth: authOf(form) ?? { kind: 'none' },
    pollIntervalSeconds: form.pollIntervalSeconds,
    ...(form.webhook ? {} : { webhookSecret: null }),
  };
}

/**
 * Body of PATCH /api/stacks/:id/git: only what changed. Turning the webhook on needs a secret
 * chosen here (`newSecret`, shown once); turning it off sends null. Null when nothing changed.
 */
export function updateBody(form: GitFormState, source: GitSource, newSecret: string): UpdateGitSource | null {
  const body: { -readonly [K in keyof UpdateGitSource]: UpdateGitSource[K] } = {};
  if (form.url.trim() !== source.url) body.url = form.url.trim();
  if (form.ref.trim() !== source.ref) body.ref = form.ref.trim();
  if (form.composePath.trim() !== source.composePath) body.composePath = form.composePath.trim();
  if (form.extraPaths.join('\n') !== source.extraPaths.join('\n')) body.extraPaths = form.extraPaths;
  if (form.pollIntervalSeconds !== source.pollIntervalSeconds) body.pollIntervalSeconds = form.pollIntervalSeconds;
  const auth = authOf(form);
  if (auth) body.auth = auth;
  if (form.webhook !== source.webhook.enabled) body.webhookSecret = form.webhook ? newSecret : null;
  return Object.keys(body).length === 0 ? null : body;
}

/** A webhook secret: 32 random bytes as hex. */
export function randomSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** "every 5 min", "webhook or manual sync only". */
export function pollText(seconds: number): string {
  if (seconds === 0) return 'no polling (webhook or manual sync only)';
  if (seconds % 3600 === 0) return `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}
