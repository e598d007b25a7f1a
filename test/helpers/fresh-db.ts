import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropPostgresSchema } from '../../src/db/database.ts';
import { engineUnderTest } from './harness.ts';

export interface FreshDatabase {
  /** Environment for `loadConfig` or a child `assay` process: data dir, and the database when PostgreSQL. */
  env: Record<string, string>;
  dataDir: string;
  /** `sqlite:<file>` or the PostgreSQL URL. */
  url: string;
  /** `public` for SQLite (ignored there), a fresh schema name for PostgreSQL. */
  schema: string;
  /** Drops the PostgreSQL schema (if any) and removes the data directory. */
  cleanup(): Promise<void>;
}

/**
 * A database nothing has touched yet, on the engine under test: a temp data dir (SQLite file
 * inside it), or a fresh PostgreSQL schema name that `openDatabase` creates on first use.
 */
export function freshDatabase(): FreshDatabase {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-fresh-'));
  const pgUrl = engineUnderTest === 'postgres' ? process.env.DATABASE_URL! : null;
  const schema = pgUrl ? `t_${crypto.randomBytes(6).toString('hex')}` : 'public';
  const url = pgUrl ?? `sqlite:${path.join(dataDir, 'assay.db')}`;
  const env: Record<string, string> = { ASSAY_DATA_DIR: dataDir, ASSAY_ARGON2_MEMORY_KIB: '1024', ASSAY_LOG_LEVEL: 'silent' };
  if (pgUrl) Object.assign(env, { DATABASE_URL: pgUrl, DATABASE_SCHEMA: schema });
  return {
    env,
    dataDir,
    url,
    schema,
    async cleanup() {
      if (pgUrl) await dropPostgresSchema(pgUrl, schema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
