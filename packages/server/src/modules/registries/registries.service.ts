import {
  parseRegistryAddress,
  registryHostOf,
  type CreateRegistry,
  type Registry,
  type RegistryAuth,
  type RegistryList,
  type RegistryTestResult,
  type UpdateRegistry,
} from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { appliesTo } from './registries.policy.ts';
import { presentRegistry, type RegistriesRepository, type StoredRegistry } from './registries.repository.ts';
import { checkRegistry } from './registry-check.ts';

/** Where the password of registry `id` is sealed: bound into the ciphertext. */
export const passwordContext = (id: number): string => `registry:${id}:password`;

type Scope = { environmentIds: number[]; groupIds: number[] } | null;

/**
 * Registry definitions: credentials for private registries, sealed at rest, handed to agents for
 * the images they pull. Passwords never leave through answers, audit details or logs.
 */
export class RegistriesService {
  private readonly repo: RegistriesRepository;
  private readonly audit: AuditService;
  private readonly secrets: SecretBox;
  private readonly checkTimeoutMs: number;
  private readonly warn: (msg: string, detail: Record<string, unknown>) => void;

  constructor(deps: {
    repo: RegistriesRepository;
    audit: AuditService;
    secrets: SecretBox;
    /** Bound on one credentials check (all its requests); default 10 s. */
    checkTimeoutMs?: number;
    warn?: (msg: string, detail: Record<string, unknown>) => void;
  }) {
    this.repo = deps.repo;
    this.audit = deps.audit;
    this.secrets = deps.secrets;
    this.checkTimeoutMs = deps.checkTimeoutMs ?? 10_000;
    this.warn = deps.warn ?? (() => undefined);
  }

  /** Every registry definition (no passwords). */
  async list(): Promise<RegistryList> {
    return { items: (await this.repo.list()).map(presentRegistry) };
  }

  /** One registry definition; not_found otherwise. */
  async get(id: number): Promise<Registry> {
    return presentRegistry(await this.stored(id));
  }

  /** Creates a definition; its password is sealed in the same transaction as the row. */
  async create(ctx: RequestContext, body: CreateRegistry): Promise<Registry> {
    const p = requirePrincipal(ctx);
    const host = hostOf(body.host);
    const scope = body.scope ? dedupe(body.scope) : null;
    await this.checkRefs(body.name, host, scope);
    const id = await this.audit.transact(ctx, async (trx, audit) => {
      const newId = await this.repo.insert(trx, { name: body.name, host, username: body.username, insecure: body.insecure, restricted: scope !== null, createdBy: p.userId });
      await this.repo.update(trx, newId, { passwordSealed: this.secrets.seal(body.password, passwordContext(newId)) });
      if (scope) await this.repo.setScope(trx, newId, scope);
      audit.targetType = 'registry';
      audit.targetId = String(newId);
      audit.details = { name: body.name, host, username: body.username, insecure: body.insecure, scope };
      return newId;
    });
    return this.get(id);
  }

  /** Changes fields; a new password replaces the sealed one, `scope: null` opens it to every environment. */
  async update(ctx: RequestContext, id: number, body: UpdateRegistry): Promise<Registry> {
    const current = await this.stored(id);
    const host = body.host === undefined ? undefined : hostOf(body.host);
    const scope = body.scope === undefined ? undefined : body.scope === null ? null : dedupe(body.scope);
    await this.checkRefs(body.name, host, scope ?? null, id);
    await this.audit.transact(ctx, async (trx, audit) => {
      const { password, scope: _s, host: _h, ...fields } = body;
      await this.repo.update(trx, id, {
        ...fields,
        ...(host !== undefined ? { host } : {}),
        ...(password !== undefined ? { passwordSealed: this.secrets.seal(password, passwordContext(id)) } : {}),
        ...(scope !== undefined ? { restricted: scope !== null } : {}),
      });
      if (scope !== undefined) await this.repo.setScope(trx, id, scope ?? { environmentIds: [], groupIds: [] });
      audit.details = {
        name: current.name,
        changes: { ...fields, ...(host !== undefined ? { host } : {}), ...(scope !== undefined ? { scope } : {}) },
        passwordChanged: password !== undefined,
      };
    });
    return this.get(id);
  }

  /** Deletes a definition; pulls of its images go unauthenticated from then on. */
  async delete(ctx: RequestContext, id: number): Promise<void> {
    const current = await this.stored(id);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { name: current.name, host: current.host };
      await this.repo.delete(trx, id);
    });
  }

  /** Checks the stored credentials against the registry; ok, or a registry_* problem saying what is wrong. */
  async test(ctx: RequestContext, id: number): Promise<RegistryTestResult> {
    const r = await this.stored(id);
    const draft = ctx.audit;
    if (draft) draft.details = { name: r.name, host: r.host };
    const password = this.secrets.open(r.passwordSealed, passwordContext(id));
    try {
      const passed = await checkRegistry({ host: r.host, username: r.username, password, insecure: r.insecure }, this.checkTimeoutMs);
      if (draft) draft.details = { ...draft.details, outcome: 'ok', auth: passed.auth };
      return { ok: true, endpoint: passed.endpoint, auth: passed.auth, checkedAt: new Date().toISOString() };
    } catch (err) {
      if (draft) draft.details = { ...draft.details, outcome: err instanceof AppError ? err.code : 'error' };
      throw err;
    }
  }

  /**
   * Credentials for pulling `images` on an environment: one entry per registry host the images name
   * that has a definition open to the environment. A password that cannot be opened (secret.key
   * replaced) is left out with a warning: the pull then fails with the registry's own refusal.
   */
  async credentialsFor(environmentId: number, images: readonly string[]): Promise<RegistryAuth[]> {
    const hosts = [...new Set(images.map(registryHostOf))];
    const groupId = await this.repo.environmentGroup(environmentId);
    if (groupId === undefined) return [];
    const out: RegistryAuth[] = [];
    for (const r of await this.repo.byHosts(hosts)) {
      if (!appliesTo(r.scope, environmentId, groupId)) continue;
      try {
        out.push({ serverAddress: r.host, username: r.username, password: this.secrets.open(r.passwordSealed, passwordContext(r.id)) });
      } catch (err) {
        this.warn('registry password unreadable; pulling without its credentials', { registryId: r.id, host: r.host, error: (err as Error).message });
      }
    }
    return out;
  }

  private async stored(id: number): Promise<StoredRegistry> {
    const r = await this.repo.get(id);
    if (!r) throw notFound('registry', id);
    return r;
  }

  private async checkRefs(name: string | undefined, host: string | undefined, scope: Scope, selfId?: number): Promise<void> {
    const clash = await this.repo.clash(name, host, selfId);
    if (clash.name) throw new AppError('conflict', `a registry named "${name}" exists: choose another name`);
    if (clash.host) throw new AppError('conflict', `a registry for ${host} exists: change that one (PATCH /api/registries/{id}) instead`);
    if (!scope) return;
    const envs = await this.repo.missing('environments', scope.environmentIds);
    if (envs.length > 0) throw new AppError('not_found', `no environment with id ${envs.join(', ')}: list them with GET /api/environments`);
    const groups = await this.repo.missing('environmentGroups', scope.groupIds);
    if (groups.length > 0) throw new AppError('not_found', `no environment group with id ${groups.join(', ')}: list them with GET /api/environments/groups`);
  }
}

function hostOf(input: string): string {
  const host = parseRegistryAddress(input);
  // The schema refused anything else already.
  if (host === null) throw new AppError('validation_failed', `host: "${input}" is not a registry host[:port]`);
  return host;
}

function dedupe(scope: { environmentIds: number[]; groupIds: number[] }): { environmentIds: number[]; groupIds: number[] } {
  return { environmentIds: [...new Set(scope.environmentIds)], groupIds: [...new Set(scope.groupIds)] };
}
