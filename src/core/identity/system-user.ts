import type { Engine } from '../../db/columns.ts';
import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import { settingsRepo } from '../settings.repo.ts';
import { usersRepo } from './users.repo.ts';

const SETTING = 'autocheck_user_id';

/**
 * The account automatic checks write their responses as (Hive shows an author on every response).
 * It has no password and is inactive, so nobody signs in as it; its id is kept in `settings`, so a
 * person who picks the same username never becomes the author of autochecks.
 */
export class SystemUser {
  private cached: number | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly engine: Engine,
  ) {}

  /**
   * Its id, creating it the first time; inside a transaction pass it as `db`. On SQLite (one
   * connection, one writer) the account is created in that transaction. On PostgreSQL it is created
   * in a transaction of its own: two workers recording their first results at once would otherwise
   * both insert it, and the loser's unique violation would abort its caller's transaction (the job's
   * completion, which would then wait for its lease to run out and be graded again).
   */
  async id(db?: Db): Promise<number> {
    if (this.cached !== null) return this.cached;
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await settingsRepo.get(db ?? this.db, SETTING);
      if (existing !== undefined) return (this.cached = Number(existing));
      if (db && this.engine !== 'postgres') return (this.cached = await this.create(db));
      try {
        return (this.cached = await this.db.transaction().execute((trx) => this.create(trx)));
      } catch {
        // Another process created it first: read theirs.
      }
    }
    throw new Error('cannot create the autocheck account');
  }

  private async create(trx: Db): Promise<number> {
    const now = this.clock.now();
    let username = 'assay-autocheck';
    for (let n = 2; await usersRepo.byUsername(trx, username); n++) username = `assay-autocheck-${n}`;
    const user = await usersRepo.insert(trx, { username, password_hash: null, clearance: 2, first_name: 'Automatic', last_name: 'Check', is_active: false, status_date: now, created_at: now });
    await settingsRepo.insert(trx, SETTING, String(user.id));
    return user.id;
  }
}
