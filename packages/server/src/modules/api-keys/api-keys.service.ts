import type { ApiKeyList, CreateApiKey, CreatedApiKey } from '@capstan/protocol';
import { notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { newApiKey } from '../auth/api-key-secret.ts';
import type { ApiKeysRepository } from './api-keys.repository.ts';

/** API keys: a user's own keys; administrators may see and delete anyone's. */
export class ApiKeysService {
  private readonly repo: ApiKeysRepository;
  private readonly access: AccessService;
  private readonly audit: AuditService;

  constructor(deps: { repo: ApiKeysRepository; access: AccessService; audit: AuditService }) {
    this.repo = deps.repo;
    this.access = deps.access;
    this.audit = deps.audit;
  }

  async list(ctx: RequestContext, userId: number | undefined): Promise<ApiKeyList> {
    const p = requirePrincipal(ctx);
    const owner = userId ?? p.userId;
    if (owner !== p.userId) await this.access.authorize(p, 'users.read', null);
    return { items: await this.repo.listForUser(owner) };
  }

  /** Creates a key for the caller; the secret is in the answer and nowhere else. */
  async create(ctx: RequestContext, body: CreateApiKey): Promise<CreatedApiKey> {
    const p = requirePrincipal(ctx);
    const secret = newApiKey();
    return this.audit.transact(ctx, async (trx, audit) => {
      const key = await this.repo.insert(trx, {
        userId: p.userId,
        name: body.name,
        prefix: secret.prefix,
        keyHash: secret.hash,
        readOnly: body.readOnly,
        expiresAt: body.expiresAt ? new Date(body.expiresAt).toISOString() : null,
      });
      audit.targetType = 'api_key';
      audit.targetId = String(key.id);
      audit.details = { name: body.name, readOnly: body.readOnly, expiresAt: key.expiresAt };
      return { ...key, key: secret.key };
    });
  }

  async delete(ctx: RequestContext, id: number): Promise<void> {
    const p = requirePrincipal(ctx);
    const key = await this.repo.get(id);
    if (!key) throw notFound('API key', id);
    if (key.userId !== p.userId) await this.access.authorize(p, 'users.manage', null);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { name: key.name, userId: key.userId };
      await this.repo.delete(trx, id);
    });
  }
}
