import { CompiledQuery, sql } from 'kysely';
import type { Db } from './database.ts';

/** Runs `work` on one connection holding PostgreSQL's session advisory lock on `key` (processes take turns). */
export async function withAdvisoryLock<T>(db: Db, key: string, work: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(hashtext(${key}))`.execute(conn);
    try {
      return await work();
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${key}))`.execute(conn);
    }
  });
}

/** Takes PostgreSQL's advisory lock on `key` until the transaction ends, unless another holds it; whether it did. */
export async function tryTransactionLock(trx: Db, key: string): Promise<boolean> {
  const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(hashtext(${key})) AS ok`.execute(trx);
  return lock.rows[0]?.ok === true;
}

/** Runs a statement a library wrote (text and values) in our connection or transaction. */
export async function executeRaw(db: Db, text: string, values: unknown[]): Promise<unknown[]> {
  const result = await db.executeQuery(CompiledQuery.raw(text, values));
  return [...result.rows] as unknown[];
}
