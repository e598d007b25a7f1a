import type { Compilable } from 'kysely';
import { CompiledQuery } from 'kysely';
import type { Db } from './database.ts';

/**
 * A query run on every request (the signed-in user's row) built and compiled once per database
 * handle, then run with each call's parameter values: Kysely otherwise builds the query's tree and
 * compiles it to SQL on every call, which cost more than SQLite's lookup itself; the same SQL
 * text also finds its prepared statement faster. `build` must place its parameters in the order
 * `run` is given them.
 */
export function compiledOnce<R>(build: (db: Db) => Compilable<R>): (db: Db, parameters: unknown[]) => Promise<R[]> {
  const compiled = new WeakMap<Db, string>();
  return async (db, parameters) => {
    let text = compiled.get(db);
    if (text === undefined) {
      text = build(db).compile().sql;
      compiled.set(db, text);
    }
    return (await db.executeQuery<R>(CompiledQuery.raw(text, parameters as unknown[]))).rows;
  };
}
