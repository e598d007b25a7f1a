import type { RawBuilder, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from './columns.ts';

/**
 * One case folding for every case-insensitive comparison, the same on both engines and on the
 * values we compare with. SQLite's own lower() and LIKE fold only ASCII letters, so on SQLite the
 * fold is a function we register (FOLD_FUNCTION); PostgreSQL's lower() folds every letter. Two
 * letters fold apart otherwise: JavaScript's toLowerCase turns a word-final Σ into ς where
 * PostgreSQL gives σ, and İ into i + U+0307 where PostgreSQL gives i. Both become σ and i here.
 */
export function foldCase(text: string): string {
  return text.replace(/\u0130/g, 'i').toLowerCase().replace(/\u03c2/g, '\u03c3');
}

/** The SQLite function that folds as foldCase (registered on every SQLite connection). */
export const FOLD_FUNCTION = 'assay_fold';

/** The folding function for better-sqlite3's `db.function`: text folded, anything else (NULL) as it is. */
export function sqliteFold(value: unknown): unknown {
  return typeof value === 'string' ? foldCase(value) : value;
}

/** `expr` folded as foldCase folds, in SQL. */
export function foldedSql(engine: Engine, expr: RawBuilder<unknown>): RawBuilder<string> {
  return engine === 'postgres' ? sql<string>`translate(lower(${expr}), 'ς', 'σ')` : sql<string>`${sql.raw(FOLD_FUNCTION)}(${expr})`;
}

const ASCII = /^\p{ASCII}*$/u;

/** `\`, `%` and `_` stand for themselves in a LIKE pattern with `ESCAPE '\'`. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Whether `expr`, folded, contains (or equals) a value already folded (foldCase). Most values are
 * ASCII, and for those the engines' built-in folding gives the same answer faster: outside ASCII
 * only İ and the Kelvin sign fold into ASCII letters, and PostgreSQL's lower() folds both as
 * foldCase does. On SQLite, LIKE folds ASCII letters without copying the text; a text holding
 * İ or the Kelvin sign goes through the registered function.
 */
function foldedMatch(engine: Engine, expr: RawBuilder<unknown>, folded: string, whole: boolean): RawBuilder<SqlBool> {
  const test = (text: RawBuilder<unknown>) =>
    whole ? sql<SqlBool>`${text} = ${folded}` : engine === 'postgres' ? sql<SqlBool>`strpos(${text}, ${folded}) > 0` : sql<SqlBool>`instr(${text}, ${folded}) > 0`;
  if (!ASCII.test(folded)) return test(foldedSql(engine, expr));
  if (engine === 'postgres') return test(sql`lower(${expr})`);
  const pattern = whole ? likeEscaped(folded) : `%${likeEscaped(folded)}%`;
  const foldsToAscii = sql`(instr(${expr}, ${'\u0130'}) > 0 OR instr(${expr}, ${'\u212a'}) > 0)`;
  return sql<SqlBool>`(${expr} LIKE ${pattern} ESCAPE '\\' OR (${foldsToAscii} AND ${test(foldedSql(engine, expr))}))`;
}

/** `expr` contains `folded` (a foldCase'd value), case-insensitively. */
export function foldedContains(engine: Engine, expr: RawBuilder<unknown>, folded: string): RawBuilder<SqlBool> {
  return foldedMatch(engine, expr, folded, false);
}

/** `expr` equals `folded` (a foldCase'd value), case-insensitively. */
export function foldedEquals(engine: Engine, expr: RawBuilder<unknown>, folded: string): RawBuilder<SqlBool> {
  return foldedMatch(engine, expr, folded, true);
}
