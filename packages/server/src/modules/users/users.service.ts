import type { ChangePassword, CreateUser, UpdateUser, User, UserListQuery, UserPage } from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { AccessRepository } from '../access/access.repository.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { AuthRepository } from '../auth/auth.repository.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { presentUser, type UserRow, type UsersRepository } from './users.repository.ts';

/** Local user accounts. */
export class UsersService {
  private readonly users: UsersRepository;
  private readonly auth: AuthRepository;
  private readonly accessRepo: AccessRepository;
  private readonly access: AccessService;
  private readonly audit: AuditService;

  constructor(deps: { users: UsersRepository; auth: AuthRepository; accessRepo: AccessRepository; access: AccessService; audit: AuditService }) {
    this.users = deps.users;
    this.auth = deps.auth;
    this.accessRepo = deps.accessRepo;
    this.access = deps.access;
    this.audit = deps.audit;
  }

  async list(q: UserListQuery): Promise<UserPage> {
    const { items, total } = await this.users.list(q);
    return { items: items.map(presentUser), total, limit: q.limit, offset: q.offset };
  }

  /** A user; anyone may read themselves, others need users.read. */
  async get(ctx: RequestContext, id: number): Promise<User> {
    const p = requirePrincipal(ctx);
    if (p.userId !== id) await this.access.authorize(p, 'users.read', null);
    return presentUser(await this.load(id));
  }

  private async load(id: number): Promise<UserRow> {
    const row = await this.users.findById(id);
    if (!row) throw notFound('user', id);
    return row;
  }

  async create(ctx: RequestContext, body: CreateUser): Promise<User> {
    if (await this.users.usernameTaken(body.username)) {
      throw new AppError('conflict', `username "${body.username}" is taken (usernames ignore case): choose another`);
    }
    const passwordHash = await hashPassword(body.password);
    return this.audit.transact(ctx, async (trx, audit) => {
      const row = await this.users.insert(trx, { username: body.username, passwordHash, isAdmin: body.isAdmin });
      audit.targetType = 'user';
      audit.targetId = String(row.id);
      audit.details = { username: body.username, isAdmin: body.isAdmin };
      return presentUser(row);
    });
  }

  /** Promotes, demotes, disables or unlocks; never leaves the instance without an active administrator. */
  async update(ctx: RequestContext, id: number, body: UpdateUser): Promise<User> {
    const before = await this.load(id);
    const losesAdmin = before.isAdmin === 1 && before.disabled === 0 && (body.isAdmin === false || body.disabled === true);
    const result = await this.audit.transact(ctx, async (trx, audit) => {
      if (losesAdmin && (await this.users.countActiveAdmins(trx)) <= 1) {
        throw new AppError('last_admin', 'this is the last active administrator: promote another user first');
      }
      await this.users.update(trx, id, {
        ...(body.isAdmin !== undefined ? { isAdmin: body.isAdmin ? 1 : 0 } : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled ? 1 : 0 } : {}),
        ...(body.unlock ? { failedLogins: 0, lockedUntil: null } : {}),
      });
      if (body.disabled === true) await this.auth.revokeUserSessions(trx, id);
      audit.targetType = 'user';
      audit.details = { changes: body };
      const after = await this.users.findById(id, trx);
      if (!after) throw notFound('user', id);
      return presentUser(after);
    });
    return result;
  }

  async delete(ctx: RequestContext, id: number): Promise<void> {
    const p = requirePrincipal(ctx);
    if (p.userId === id) throw new AppError('conflict', 'you cannot delete your own account: ask another administrator');
    const before = await this.load(id);
    await this.audit.transact(ctx, async (trx, audit) => {
      if (before.isAdmin === 1 && before.disabled === 0 && (await this.users.countActiveAdmins(trx)) <= 1) {
        throw new AppError('last_admin', 'this is the last active administrator: promote another user first');
      }
      audit.targetType = 'user';
      audit.details = { username: before.username };
      await this.accessRepo.deleteFor(trx, 'principal', 'user', id);
      await this.users.delete(trx, id);
    });
    this.access.invalidate();
  }

  /** Sets a new password and ends every session of that user. Own changes need the current password. */
  async changePassword(ctx: RequestContext, id: number, body: ChangePassword): Promise<void> {
    const p = requirePrincipal(ctx);
    const user = p.userId === id ? await this.load(id) : null;
    if (user) {
      if (!body.currentPassword || !(await verifyPassword(user.passwordHash, body.currentPassword))) {
        throw new AppError('password_incorrect', 'currentPassword is missing or wrong: give your current password to change it');
      }
    } else {
      await this.access.authorize(p, 'users.manage', null);
      await this.load(id);
    }
    const passwordHash = await hashPassword(body.newPassword);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.targetType = 'user';
      await this.users.update(trx, id, { passwordHash, failedLogins: 0, lockedUntil: null });
      await this.auth.revokeUserSessions(trx, id);
    });
  }
}
