/**
 * Runs a compiled search plan as SQL on either engine. A resource describes itself as SQL: the
 * FROM clause, one expression per scalar field, and for to-many fields the correlated sub-select
 * that reaches them. Expressions come from the resource tables in this folder, never from input;
 * every value from input travels as a parameter.
 */
import type { RawBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Engine } from '../../db/columns.ts';
import { foldCase, foldedContains, foldedEquals } from '../../db/case-fold.ts';
import type { Condition, FieldSpec, FieldType, ResourceSpec, SearchPlan } from './search.ts';

/** A to-many path: `FROM … WHERE <correlated to the outer row>` and the value expression inside it. */
export interface ManySql {
  from: string;
  expr: string;
}

/** A join of the outer query, included only when an expression in use names its alias. */
export interface JoinSql {
  alias: string;
  sql: string;
  /** Aliases this join's ON clause refers to (joined first). */
  needs?: readonly string[];
}

export interface ResourceSql {
  spec: ResourceSpec;
  /** The outer row's table and alias (`devilry_groups g`); a visibility may drive the query from another table. */
  base: string;
  /** Joins every query needs. */
  always: string;
  joins: readonly JoinSql[];
  id: string;
  /** The owning group's id, selected as `__group` when the resource is not the group itself. */
  group?: string;
  columns: Readonly<Record<string, string>>;
  many: Readonly<Record<string, ManySql>>;
  /** The condition one `query` word puts on the outer row (it matches some search field, case-insensitively). */
  word: (engine: Engine, folded: string) => Sql;
  /**
   * A cheap condition on the outer row that every row matching a condition on a to-many field
   * meets (null when there is none): tested first, so the correlated sub-select runs only for the
   * rows it lets through.
   */
  prefilter?: (engine: Engine, c: Condition) => Sql | null;
}

type Sql = RawBuilder<unknown>;

/**
 * Ends a correlated EXISTS that must be probed per outer row. PostgreSQL otherwise may turn it
 * into a hashed sub-plan over the whole related table (it cannot guess how rare a substring is);
 * an OFFSET keeps it correlated, and LIMIT makes the clause valid on SQLite too.
 */
export const PER_ROW = sql`LIMIT 1 OFFSET 0`;

export function sqlValue(engine: Engine, value: number | string | boolean): number | string | boolean {
  return typeof value === 'boolean' && engine === 'sqlite' ? (value ? 1 : 0) : value;
}

/** The text form a field is matched by in `contains`, `startswith`, …: the wire form of its value. */
function textForm(engine: Engine, expr: string, type: FieldType): string {
  switch (type) {
    case 'text':
      return expr;
    case 'int':
      return `CAST(CAST(${expr} AS INTEGER) AS TEXT)`;
    case 'bool':
      return `(CASE WHEN ${expr} IS NULL THEN NULL WHEN ${expr} THEN 'true' ELSE 'false' END)`;
    case 'datetime':
      return engine === 'postgres' ? `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')` : `substr(${expr}, 1, 19)`;
  }
}

/** Case-sensitive or -insensitive substring, prefix and suffix tests, the same on both engines. */
function textTest(engine: Engine, expr: string, mode: string, value: string): Sql {
  const e = sql.raw(expr);
  switch (mode) {
    case 'iexact':
      return foldedEquals(engine, e, foldCase(value));
    case 'contains':
      return engine === 'postgres' ? sql`strpos(${e}, ${value}) > 0` : sql`instr(${e}, ${value}) > 0`;
    case 'icontains':
      return foldedContains(engine, e, foldCase(value));
    case 'startswith':
      return sql`substr(${e}, 1, length(${value})) = ${value}`;
    default:
      return engine === 'postgres' ? sql`right(${e}, length(${value})) = ${value}` : sql`substr(${e}, -length(${value})) = ${value}`;
  }
}

function conditionOn(engine: Engine, expr: string, spec: FieldSpec, c: Condition): Sql {
  switch (c.kind) {
    case 'null':
      return sql`${sql.raw(expr)} IS NULL`;
    case 'compare':
      return sql`${sql.raw(expr)} ${sql.raw(c.op)} ${sqlValue(engine, c.value)}`;
    case 'text':
      return textTest(engine, textForm(engine, expr, spec.type), c.mode, c.value);
  }
}

function conditionSql(engine: Engine, r: ResourceSql, c: Condition): Sql {
  const spec = r.spec.fields[c.field]!;
  const many = r.many[c.field];
  if (!many) return conditionOn(engine, r.columns[c.field]!, spec, c);
  const exists = sql`EXISTS (SELECT 1 ${sql.raw(many.from)} AND ${conditionOn(engine, many.expr, spec, c)} ${PER_ROW})`;
  const cheap = r.prefilter?.(engine, c);
  return cheap ? sql`(${cheap} AND ${exists})` : exists;
}

/** `expr` contains the word (already case-folded), case-insensitively, the same on both engines. */
export function containsWord(engine: Engine, expr: string, folded: string): Sql {
  return foldedContains(engine, sql.raw(expr), folded);
}

function orderSql(engine: Engine, r: ResourceSql, plan: SearchPlan): Sql {
  const terms = plan.order.map(({ field, desc }) => {
    const many = r.many[field];
    const expr = many ? `(SELECT MIN(${many.expr}) ${many.from})` : r.columns[field]!;
    // NULL sorts as the smallest value on both engines (SQLite's rule).
    const nulls = engine === 'postgres' ? (desc ? ' NULLS LAST' : ' NULLS FIRST') : '';
    return sql.raw(`${expr} ${desc ? 'DESC' : 'ASC'}${nulls}`);
  });
  const tiebreak = plan.order[0]?.desc ? 'DESC' : 'ASC';
  if (!plan.order.some((o) => o.field === 'id')) terms.push(sql.raw(`${r.id} ${tiebreak}`));
  return sql.join(terms, sql`, `);
}

/** The WHERE clause: visibility, filters and query words. */
function whereSql(engine: Engine, r: ResourceSql, plan: SearchPlan, visible: Sql): Sql {
  const parts = [visible, ...plan.conditions.map((c) => conditionSql(engine, r, c)), ...plan.words.map((w) => r.word(engine, foldCase(w)))];
  return sql.join(parts, sql` AND `);
}

export type Row = Record<string, unknown>;

/** A visibility condition, the optional joins it refers to, and the FROM head that drives the query when it should not scan the base table. */
export interface VisibleSql {
  where: Sql;
  aliases: readonly string[];
  from?: Sql;
}

/** The FROM clause with just the joins the query's expressions use (both engines then skip the rest). */
function fromSql(r: ResourceSql, exprs: string[], visible: VisibleSql): Sql {
  const used = new Set<string>(visible.aliases);
  for (const e of exprs) for (const m of e.matchAll(/\b([a-z]{1,3})\./g)) used.add(m[1]!);
  for (const j of [...r.joins].reverse()) if (used.has(j.alias)) for (const n of j.needs ?? []) used.add(n);
  const joins = [r.always, ...r.joins.filter((j) => used.has(j.alias)).map((j) => j.sql)].join('\n');
  return sql`${visible.from ?? sql.raw(`FROM ${r.base}`)} ${sql.raw(joins)}`;
}

function exprsOf(r: ResourceSql, plan: SearchPlan, withSelect: boolean): string[] {
  const fields = [...plan.conditions.map((c) => c.field), ...plan.order.map((o) => o.field), ...(withSelect ? plan.fields : [])];
  const out = fields.map((f) => r.columns[f] ?? r.many[f]?.expr ?? '');
  return out;
}

/** The page of matching rows (scalar fields only, keyed by field name) and the total before paging. */
export async function runSearch(db: Db, engine: Engine, r: ResourceSql, plan: SearchPlan, visible: VisibleSql): Promise<{ total: number; rows: Row[] }> {
  const where = whereSql(engine, r, plan, visible.where);
  const countFrom = fromSql(r, exprsOf(r, plan, false), visible);
  const scalars = plan.fields.filter((f) => r.columns[f] !== undefined);
  const select = sql.join(
    [sql.raw(`${r.id} AS "__id"`), ...(r.group ? [sql.raw(`${r.group} AS "__group"`)] : []), ...scalars.map((f, i) => sql.raw(`${r.columns[f]} AS "c${i}"`))],
    sql`, `,
  );
  // Columns travel under short aliases: field paths outgrow PostgreSQL's 63-character identifiers.
  const named = (rows: Row[]): Row[] =>
    rows.map((row) => {
      const out: Row = { __id: row.__id, __group: row.__group, __total: row.__total };
      scalars.forEach((f, i) => (out[f] = row[`c${i}`]));
      return out;
    });
  const count = async () => Number((await sql<{ n: number | string }>`SELECT COUNT(*) AS n ${countFrom} WHERE ${where}`.execute(db)).rows[0]?.n ?? 0);
  if (plan.limit === 0) return { total: await count(), rows: [] };
  const order = orderSql(engine, r, plan);
  if (visible.from) {
    // A search over the caller's own groups: the matches are few, so the page of ids carries the
    // total (one pass over them instead of two), read with only the joins that filtering and
    // ordering need; the returned columns are then read for the page's rows alone. Only a page
    // past the end needs its own count.
    const ids = await sql<{ __id: number; __total: number | string }>`SELECT ${sql.raw(r.id)} AS "__id", COUNT(*) OVER () AS "__total" ${countFrom} WHERE ${where} ORDER BY ${order} LIMIT ${plan.limit} OFFSET ${plan.start}`.execute(db);
    if (ids.rows.length === 0) return { total: await count(), rows: [] };
    const total = Number(ids.rows[0]!.__total);
    const page = await sql<Row>`SELECT ${select} ${fromSql(r, exprsOf(r, plan, true), { where: sql``, aliases: [] })} WHERE ${sql.raw(r.id)} IN (${sql.join(ids.rows.map((row) => row.__id))})`.execute(db);
    const byId = new Map(page.rows.map((row) => [Number(row.__id), row]));
    // A row deleted between the two reads is left out.
    const rows = ids.rows.map((row) => byId.get(Number(row.__id))).filter((row): row is Row => row !== undefined);
    return { total, rows: named(rows.map((row) => ({ ...row, __total: total }))) };
  }
  const pageFrom = fromSql(r, exprsOf(r, plan, true), visible);
  const [total, page] = await Promise.all([
    count(),
    sql<Row>`SELECT ${select} ${pageFrom} WHERE ${where} ORDER BY ${order} LIMIT ${plan.limit} OFFSET ${plan.start}`.execute(db),
  ]);
  return { total, rows: named(page.rows) };
}

/** Whether one row (by id) is visible: the read and update checks. */
export async function isVisible(db: Db, r: ResourceSql, id: number, visible: VisibleSql): Promise<boolean> {
  const res = await sql`SELECT 1 AS one ${fromSql(r, [], visible)} WHERE ${sql.raw(r.id)} = ${id} AND ${visible.where}`.execute(db);
  return res.rows.length > 0;
}
