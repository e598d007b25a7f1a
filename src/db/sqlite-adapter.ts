import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** better-sqlite3 cannot bind booleans; SQLite stores them as 0 and 1. */
function bindable(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p === true ? 1 : p === false ? 0 : p));
}

/** Wraps a better-sqlite3 handle so Kysely's SqliteDialect can bind JavaScript booleans. */
export function adaptSqlite(db: BetterSqlite3.Database): SqliteDatabase {
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const stmt = db.prepare(sql);
      return {
        reader: stmt.reader,
        all: (params) => stmt.all(...bindable(params)),
        run: (params) => stmt.run(...bindable(params)) as { changes: number | bigint; lastInsertRowid: number | bigint },
        iterate: (params) => stmt.iterate(...bindable(params)),
      };
    },
  };
}
