import type { Kysely, Migration, MigrationProvider, MigrationResult } from 'kysely';
import { Migrator, sql } from 'kysely';
import { SCHEMA_LOCK } from './database.ts';
import type { Engine } from './columns.ts';
import type { Database } from './types.ts';
import * as m0001 from './migrations/0001_initial.ts';
import * as m0010 from './migrations/0010_grading_jobs.ts';
import * as m0011 from './migrations/0011_graders.ts';
import * as m0012 from './migrations/0012_autocheck_responses.ts';
import * as m0013 from './migrations/0013_hive_indexes.ts';
import * as m0014 from './migrations/0014_oauth.ts';
import * as m0015 from './migrations/0015_autolab.ts';
import * as m0016 from './migrations/0016_inginious.ts';
import * as m0017 from './migrations/0017_devilry.ts';
import * as m0018 from './migrations/0018_enrollment_names.ts';
import * as m0019 from './migrations/0019_devilry_period_names.ts';
import * as m0020 from './migrations/0020_subject_segel_brief.ts';
import * as m0021 from './migrations/0021_engine_timeline_steps.ts';
import * as m0022 from './migrations/0022_line_comments.ts';
import * as m0024 from './migrations/0024_audit.ts';
import * as m0026 from './migrations/0026_similarity.ts';
import * as m0030 from './migrations/0030_assignments_by_user.ts';
import * as m0031 from './migrations/0031_devilry_search_text.ts';

type EngineMigration = { up(db: Kysely<unknown>, engine: Engine): Promise<void> };

/** Migrations in order; names never change once shipped. */
const migrations: Record<string, EngineMigration> = {
  '0001_initial': m0001,
  '0010_grading_jobs': m0010,
  '0011_graders': m0011,
  '0012_autocheck_responses': m0012,
  '0013_hive_indexes': m0013,
  '0014_oauth': m0014,
  '0015_autolab': m0015,
  '0016_inginious': m0016,
  '0017_devilry': m0017,
  '0018_enrollment_names': m0018,
  '0019_devilry_period_names': m0019,
  '0020_subject_segel_brief': m0020,
  '0021_engine_timeline_steps': m0021,
  '0022_line_comments': m0022,
  '0024_audit': m0024,
  '0026_similarity': m0026,
  '0030_assignments_by_user': m0030,
  '0031_devilry_search_text': m0031,
};

class InCodeMigrations implements MigrationProvider {
  constructor(private readonly engine: Engine) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(migrations).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, this.engine) }]),
    );
  }
}

/**
 * Applies every pending migration. On PostgreSQL the bookkeeping tables live in the same schema
 * as the data, so several schemas in one database (one per test run) never see each other's.
 */
export async function migrateToLatest(db: Kysely<Database>, engine: Engine, schema = 'public'): Promise<MigrationResult[]> {
  const run = async (conn: Kysely<unknown>) => {
    const migrator = new Migrator({
      db: conn,
      provider: new InCodeMigrations(engine),
      ...(engine === 'postgres' ? { migrationTableSchema: schema } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return results ?? [];
  };
  if (engine !== 'postgres') return run(db as unknown as Kysely<unknown>);
  // Kysely's migrator inspects the tables of every schema before it migrates; a schema dropped
  // meanwhile (another server's, or another test run's) would fail that inspection. Schema drops
  // take the same lock (dropPostgresSchema), so the two never overlap.
  return (db as unknown as Kysely<unknown>).connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${SCHEMA_LOCK})`.execute(conn);
    try {
      return await run(conn);
    } finally {
      await sql`select pg_advisory_unlock(${SCHEMA_LOCK})`.execute(conn);
    }
  });
}
