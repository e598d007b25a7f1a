import type { Db } from '../../db/database.ts';
import type { Engine } from '../../db/columns.ts';
import type { BlobStore } from '../../blobs/store.ts';
import type { GradingQueue } from '../../grading/queue/index.ts';
import type { Actor, ClearanceLevel } from '../actor.ts';
import { Clearance } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError } from '../errors.ts';
import type { FieldProblem } from '../errors.ts';
import { COOKIE_SESSION_NAME } from '../identity/tokens.service.ts';
import type { UsersService } from '../identity/users.service.ts';
import { usersRepo } from '../identity/users.repo.ts';
import type { OAuthClientCreated, OAuthServices } from '../oauth/index.ts';
import { parseScopes } from '../oauth/scopes.ts';
import { adminRepo } from './admin.repo.ts';
import type { ServerHealth } from './health.ts';
import { serverHealth } from './health.ts';
import { adminPolicy } from './policy.ts';

export const CLEARANCES: readonly ClearanceLevel[] = [Clearance.student, Clearance.checker, Clearance.staff, Clearance.admin];
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

export interface AdminUser {
  id: number;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  clearance: number;
  is_active: boolean;
  created_at: string;
}

export interface NewUser {
  username: string;
  password: string;
  clearance: number;
  email?: string;
  first_name?: string;
  last_name?: string;
}

/** What an admin changes about an account; keys left undefined are not changed. */
export interface UserChange {
  clearance?: number;
  is_active?: boolean;
  /** A new password (a reset: the old one stops working). */
  password?: string;
}

export interface AdminToken {
  id: number;
  name: string;
  user: { id: number; username: string };
  created_at: string;
  last_used_at: string | null;
}

export interface AdminClient {
  id: number;
  name: string;
  client_id: string;
  redirect_uris: string[];
  scopes: string[];
  created_at: string;
  created_by: string | null;
  live_tokens: number;
}

const passwordProblem = (password: string): FieldProblem | null =>
  password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH
    ? { field: 'password', code: 'invalid', message: `A password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.` }
    : null;
const clearanceProblem = (clearance: number): FieldProblem | null =>
  (CLEARANCES as readonly number[]).includes(clearance) ? null : { field: 'clearance', code: 'invalid_choice', message: `"${clearance}" is not a clearance: 1, 2, 3 or 5.` };

const toUser = (r: Awaited<ReturnType<typeof adminRepo.users>>[number]): AdminUser => ({ ...r, is_active: Boolean(r.is_active) });

/**
 * The server's admin pages: accounts (create, reset a password, change clearance, deactivate),
 * OAuth client applications, everyone's personal tokens and the server's health. Admins only;
 * anyone else is refused (403) before anything is looked up. A deactivated account signs in
 * nowhere and its tokens stop working on every dialect (each resolves its caller through the
 * users service, which refuses inactive accounts).
 */
export class AdminService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly oauth: OAuthServices,
    private readonly parts: { db: Db; engine: Engine; blobs: BlobStore; grading: GradingQueue },
  ) {}

  /** Refuses (403) a caller who is not an admin, before a request body is read. */
  assertMayAdminister(actor: Actor): void {
    if (!adminPolicy.canAdminister(actor)) throw AssayError.forbidden();
  }

  async listUsers(actor: Actor): Promise<AdminUser[]> {
    this.assertMayAdminister(actor);
    return (await adminRepo.users(this.db)).map(toUser);
  }

  async createUser(actor: Actor, input: NewUser): Promise<AdminUser> {
    this.assertMayAdminister(actor);
    const problems = [passwordProblem(input.password), clearanceProblem(input.clearance)].filter((p) => p !== null);
    if (problems.length > 0) throw AssayError.invalid(problems);
    const row = await this.users.createTrusted({ ...input, clearance: input.clearance as ClearanceLevel });
    return this.user(row.id);
  }

  async updateUser(actor: Actor, id: number, change: UserChange): Promise<AdminUser> {
    this.assertMayAdminister(actor);
    const current = await usersRepo.byId(this.db, id);
    if (!current) throw AssayError.notFound();
    const problems = [
      change.password === undefined ? null : passwordProblem(change.password),
      change.clearance === undefined ? null : clearanceProblem(change.clearance),
    ].filter((p) => p !== null);
    if (problems.length > 0) throw AssayError.invalid(problems);
    const standing = (change.clearance !== undefined && change.clearance !== current.clearance) || (change.is_active !== undefined && change.is_active !== Boolean(current.is_active));
    if (standing && !adminPolicy.canChangeStanding(actor, id)) throw AssayError.field(null, 'own_account', 'You cannot change your own clearance or deactivate yourself.');
    if (change.password !== undefined) await this.users.setPassword(current.username, change.password);
    const patch: { clearance?: number; is_active?: boolean } = {};
    if (change.clearance !== undefined) patch.clearance = change.clearance;
    if (change.is_active !== undefined) patch.is_active = change.is_active;
    if (Object.keys(patch).length > 0) await usersRepo.update(this.db, id, patch);
    return this.user(id);
  }

  private async user(id: number): Promise<AdminUser> {
    const found = (await adminRepo.users(this.db)).find((u) => u.id === id);
    if (!found) throw AssayError.notFound();
    return toUser(found);
  }

  async tokens(actor: Actor): Promise<AdminToken[]> {
    this.assertMayAdminister(actor);
    return (await adminRepo.tokens(this.db, COOKIE_SESSION_NAME)).map((t) => ({
      id: t.id,
      name: t.name,
      user: { id: t.user_id, username: t.username },
      created_at: t.created_at,
      last_used_at: t.last_used_at,
    }));
  }

  async revokeToken(actor: Actor, id: number): Promise<void> {
    this.assertMayAdminister(actor);
    if (!(await adminRepo.deleteToken(this.db, id, COOKIE_SESSION_NAME))) throw AssayError.notFound();
  }

  async clients(actor: Actor): Promise<AdminClient[]> {
    this.assertMayAdminister(actor);
    return (await adminRepo.clients(this.db, this.clock.now())).map((c) => ({
      id: c.id,
      name: c.name,
      client_id: c.uid,
      redirect_uris: JSON.parse(c.redirect_uris) as string[],
      scopes: parseScopes(c.scopes),
      created_at: c.created_at,
      created_by: c.created_by,
      live_tokens: Number(c.live_tokens ?? 0),
    }));
  }

  /** Registers a client (the OAuth area validates it); the secret is shown this once. */
  async createClient(actor: Actor, input: { name: string; redirectUris: string[]; scopes: string[] }): Promise<OAuthClientCreated> {
    this.assertMayAdminister(actor);
    return this.oauth.createClient(actor, input);
  }

  /** Deletes a client with its grants and tokens: whoever signed in through it is signed out. */
  async deleteClient(actor: Actor, id: number): Promise<void> {
    this.assertMayAdminister(actor);
    const deleted = await this.db.transaction().execute((trx) => adminRepo.deleteClient(trx, id));
    if (!deleted) throw AssayError.notFound();
  }

  async health(actor: Actor): Promise<ServerHealth> {
    this.assertMayAdminister(actor);
    return serverHealth(this.parts);
  }
}
