import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { parseTimestamp } from '../core/clock.ts';
import type { Engine } from './columns.ts';
import { BooleanColumnsPlugin } from './boolean-plugin.ts';
import { FOLD_FUNCTION, sqliteFold } from './case-fold.ts';
import { refuseNulParameters } from './nul-guard.ts';
import { schemaV1 } from './schema-v1.ts';
import { adaptSqlite } from './sqlite-adapter.ts';
import type { Database } from './types.ts';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  engine: Engine;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  schema?: string;
  poolSize?: number;
}

/** Names of every boolean column; a name is boolean in every table that has it. */
export function booleanColumns(): Set<string> {
  const names = new Set<string>();
  // Boolean columns added by later migrations.
  for (const name of ['check_solution']) names.add(name);
  for (const table of Object.values(schemaV1)) {
    for (const [name, col] of Object.entries(table.columns)) {
      if ((col as { kind: string }).kind === 'bool') names.add(name);
    }
  }
  return names;
}

export function engineOf(url: string): Engine {
  return url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

const PG_TIMESTAMPTZ = 1184;
const PG_TIMESTAMP = 1114;
const PG_INT8 = 20;
const PG_NUMERIC = 1700;

function pgTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === PG_TIMESTAMPTZ || oid === PG_TIMESTAMP) return (v: string) => parseTimestamp(v) ?? v;
      if (oid === PG_INT8 || oid === PG_NUMERIC) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as 'text');
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const engine = engineOf(options.url);
  const plugins = engine === 'sqlite' ? [new BooleanColumnsPlugin(booleanColumns())] : [];
  if (engine === 'sqlite') {
    const file = options.url.slice('sqlite:'.length);
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const raw = new BetterSqlite3(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
    raw.function(FOLD_FUNCTION, { deterministic: true }, sqliteFold);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: adaptSqlite(raw) }), plugins });
    return { db, engine, close: () => db.destroy() };
  }
  const schema = options.schema ?? 'public';
  if (schema !== 'public') {
    const admin = new pg.Client({ connectionString: options.url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    options: `-c search_path=${schema} -c timezone=UTC`,
    types: pgTypes(),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: refuseNulParameters(pool) }), plugins });
  return { db, engine, close: () => db.destroy() };
}

/** Advisory lock key shared by migrations and schema drops (see migrateToLatest). */
export const SCHEMA_LOCK = 72_616_361;

/** Drops a PostgreSQL schema with everything in it (tests use one fresh schema per run). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
