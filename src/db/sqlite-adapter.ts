import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** better-sqlite3 cannot bind booleans; SQLite stores them as 0 and 1. */
function bindable(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p === true ? 1 : p === false ? 0 : p));
}

/** How many prepared statements are kept; Kysely builds the same few SQL texts over and over. */
const STATEMENT_CACHE_SIZE = 500;

type Row = Record<string, unknown>;
type MakeRow = (values: unknown[]) => Row;

/**
 * A function building a row object from a raw row with one object literal, for these column names
 * (later duplicates win, as better-sqlite3's own objects have it). Null when a name cannot be a
 * literal's plain key (`__proto__`). better-sqlite3 sets each column on a fresh object one at a
 * time; a literal of known shape costs about half as much (a 20,000-row list of 18 columns:
 * 280 -> 150 ms on a loaded machine).
 */
function rowMaker(names: string[]): MakeRow | null {
  if (names.includes('__proto__')) return null;
  // Built from the statement's own column names, each quoted by JSON.stringify.
  return new Function('v', `return {${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')}};`) as MakeRow;
}

/** A statement returning rows, read in raw mode and turned into objects by a row maker. */
interface Reader {
  stmt: BetterSqlite3.Statement;
  make: MakeRow | null;
  /** How many columns `make` was built for. */
  width: number;
}

/**
 * Wraps a better-sqlite3 handle so Kysely's SqliteDialect can bind JavaScript booleans, and keeps
 * prepared statements by SQL text: Kysely prepares on every query, and preparing costs about as
 * much as running a small query. Statements returning rows are read as arrays and built into
 * objects by a per-statement row maker (see rowMaker).
 */
export function adaptSqlite(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, Reader>();
  const prepared = (sql: string): Reader => {
    let entry = cache.get(sql);
    if (entry) {
      cache.delete(sql);
    } else {
      const stmt = db.prepare(sql);
      const names = stmt.reader ? stmt.columns().map((c) => c.name) : [];
      const make = stmt.reader ? rowMaker(names) : null;
      if (make) stmt.raw(true);
      entry = { stmt, make, width: names.length };
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, entry);
    return entry;
  };
  /** The rows as objects; a schema change under a cached statement (its column count moved) rebuilds its maker. */
  const objects = (entry: Reader, rows: unknown[][]): Row[] => {
    if (rows.length > 0 && rows[0]!.length !== entry.width) {
      const names = entry.stmt.columns().map((c) => c.name);
      entry.make = rowMaker(names) ?? ((v) => Object.fromEntries(names.map((n, i) => [n, v[i]])));
      entry.width = names.length;
    }
    return rows.map(entry.make!);
  };
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const entry = prepared(sql);
      const { stmt } = entry;
      if (!entry.make) {
        return {
          reader: stmt.reader,
          all: (params) => stmt.all(...bindable(params)),
          run: (params) => stmt.run(...bindable(params)) as { changes: number | bigint; lastInsertRowid: number | bigint },
          iterate: (params) => stmt.iterate(...bindable(params)),
        };
      }
      return {
        reader: true,
        all: (params) => objects(entry, stmt.all(...bindable(params)) as unknown[][]),
        run: (params) => stmt.run(...bindable(params)) as { changes: number | bigint; lastInsertRowid: number | bigint },
        iterate: function* (params) {
          for (const values of stmt.iterate(...bindable(params)) as IterableIterator<unknown[]>) yield objects(entry, [values])[0]!;
        },
      };
    },
  };
}
