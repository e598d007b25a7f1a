import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** better-sqlite3 cannot bind booleans; SQLite stores them as 0 and 1. */
function bindable(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p === true ? 1 : p === false ? 0 : p));
}

/** How many prepared statements are kept; Kysely builds the same few SQL texts over and over. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Wraps a better-sqlite3 handle so Kysely's SqliteDialect can bind JavaScript booleans, and keeps
 * prepared statements by SQL text: Kysely prepares on every query, and preparing costs about as
 * much as running a small query.
 */
export function adaptSqlite(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string): BetterSqlite3.Statement => {
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql);
    } else {
      stmt = db.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, stmt);
    return stmt;
  };
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const stmt = prepared(sql);
      return {
        reader: stmt.reader,
        all: (params) => stmt.all(...bindable(params)),
        run: (params) => stmt.run(...bindable(params)) as { changes: number | bigint; lastInsertRowid: number | bigint },
        iterate: (params) => stmt.iterate(...bindable(params)),
      };
    },
  };
}
