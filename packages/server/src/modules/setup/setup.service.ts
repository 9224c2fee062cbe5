import type { LoginResponse, SetupAdmin } from '@capstan/protocol';
import { AppError } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { UsersRepository } from '../users/users.repository.ts';

/**
 * First run. Until an administrator exists the API answers only health and setup, and setup
 * itself closes `windowMs` after start so an exposed fresh instance cannot be taken over later.
 */
export class SetupService {
  private readonly users: UsersRepository;
  private readonly auth: AuthService;
  private readonly audit: AuditService;
  private readonly deadline: number;
  private done = false;

  constructor(deps: { users: UsersRepository; auth: AuthService; audit: AuditService; windowMs: number; startedAt: number }) {
    this.users = deps.users;
    this.auth = deps.auth;
    this.audit = deps.audit;
    this.deadline = deps.startedAt + deps.windowMs;
  }

  /** True while no administrator exists. Cached once false; rechecked otherwise (another replica may finish setup). */
  async required(): Promise<boolean> {
    if (this.done) return false;
    this.done = await this.users.anyAdmin();
    return !this.done;
  }

  async createAdmin(ctx: RequestContext, body: SetupAdmin): Promise<LoginResponse> {
    if (ctx.audit) ctx.audit.actorOverride = { id: null, name: body.username };
    if (!(await this.required())) throw new AppError('setup_complete', 'Capstan is already set up: sign in with POST /api/auth/login');
    if (Date.now() > this.deadline) {
      throw new AppError(
        'setup_window_expired',
        'first-run setup closed because nobody completed it within the setup window after start: restart Capstan and set it up at once, or seed the administrator with --admin-password-file',
      );
    }
    const passwordHash = await hashPassword(body.password);
    const result = await this.audit.transact(ctx, async (trx, audit) => {
      // Re-checked inside the transaction: two concurrent setups cannot both win.
      const existing = await trx.selectFrom('users').select('id').where('isAdmin', '=', 1).executeTakeFirst();
      if (existing) throw new AppError('setup_complete', 'Capstan is already set up: sign in with POST /api/auth/login');
      const user = await this.users.insert(trx, { username: body.username, passwordHash, isAdmin: true });
      audit.targetType = 'user';
      audit.targetId = String(user.id);
      audit.actorOverride = { id: Number(user.id), name: user.username };
      return this.auth.openSession(trx, user, ctx);
    });
    this.done = true;
    return result;
  }

  /** Seeds the administrator from a password file at start (unattended install); no-op when one exists. */
  async seedAdmin(ctx: RequestContext, username: string, password: string): Promise<boolean> {
    if (!(await this.required())) return false;
    if (password.length < 12) throw new AppError('password_too_weak', 'the password in --admin-password-file must be at least 12 characters');
    const passwordHash = await hashPassword(password);
    await this.audit.transact(ctx, async (trx, audit) => {
      const user = await this.users.insert(trx, { username, passwordHash, isAdmin: true });
      audit.targetType = 'user';
      audit.targetId = String(user.id);
      audit.actorOverride = { id: null, name: 'system' };
    });
    this.done = true;
    return true;
  }
}
