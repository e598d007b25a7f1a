import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';
import type { Engine } from '../../db/columns.ts';
import type { Db } from '../../db/database.ts';
import { foldCase, foldedContains } from '../../db/case-fold.ts';
import type { NewRow, RowOf, RowPatch } from '../../db/types.ts';
import { Clearance } from '../actor.ts';
import { threadUserConditions } from '../threads/threads.repo.ts';
import type { HelpFilters, HelpOrder, HelpOrderField } from './help-filters.ts';
import type { HelpScope } from './help-visibility.ts';

export type HelpRow = RowOf<'help_threads'>;

/** Which threads a query reads: the reader's scope and the list's filters. */
export interface HelpQuery {
  engine: Engine;
  scope: HelpScope;
  filters: HelpFilters;
  /** Whether the free text may match staff-only responses (never for a student). */
  withStaffOnlyText: boolean;
}

const ORDER_COLUMN: Record<HelpOrderField, string> = {
  id: 'id',
  title: 'title',
  help_type: 'help_type',
  help_status: 'help_status',
  user: 'user_id',
  checker: 'checker_id',
};

const inList = <T>(column: Expression<unknown>, values: T[]) =>
  values.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`${column} IN (${sql.join(values.map((v) => sql`${v}`))})`;

/** The scope (help-visibility.ts) as a condition on the help thread aliased `alias`; null: every thread. */
function scopeCondition(scope: HelpScope, alias = 'h'): Expression<SqlBool> | null {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  if (scope.kind === 'all') return null;
  if (scope.kind === 'student') return sql<SqlBool>`${col('user_id')} = ${scope.userId}`;
  const own = sql<SqlBool>`(${col('user_id')} = ${scope.userId} OR ${col('created_by')} = ${scope.userId} OR ${col('checker_id')} = ${scope.userId})`;
  if (scope.kind === 'staff') return sql<SqlBool>`(${own} OR ${col('visibility')} <> ${'Author Only'})`;
  const list = sql.join(scope.courseIds.map((id) => sql`${id}`));
  const inScope =
    scope.courseIds.length === 0
      ? sql<SqlBool>`1 = 0`
      : sql<SqlBool>`(EXISTS (SELECT 1 FROM users su WHERE su.id = ${col('user_id')} AND su.program_id IN (${list}))
          OR EXISTS (SELECT 1 FROM exercises se WHERE se.id = ${col('exercise_id')} AND se.course_id IN (${list})))`;
  return sql<SqlBool>`(${own} OR ${col('visibility')} = ${'All Staff And Checkers'} OR (${col('visibility')} = ${'All Staff'} AND ${inScope}))`;
}

/** The conditions of `filters` on the help thread aliased `alias`. */
function filterConditions(engine: Engine, filters: HelpFilters, withStaffOnlyText: boolean, alias = 'h'): Expression<SqlBool>[] {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  const out: Expression<SqlBool>[] = [];
  if (filters.id !== undefined) out.push(sql<SqlBool>`${col('id')} = ${filters.id}`);
  if (filters.createdBy !== undefined) out.push(sql<SqlBool>`${col('created_by')} = ${filters.createdBy}`);
  if (filters.current !== undefined) out.push(sql<SqlBool>`${col('help_status')} = ${filters.current ? 'Open' : 'Resolved'}`);
  if (filters.statuses !== undefined) out.push(inList(col('help_status'), filters.statuses));
  if (filters.types !== undefined) out.push(inList(col('help_type'), filters.types));
  if (filters.exerciseId !== undefined) out.push(sql<SqlBool>`${col('exercise_id')} = ${filters.exerciseId}`);
  if (filters.moduleId !== undefined) {
    out.push(sql<SqlBool>`${col('exercise_id')} IN (SELECT fe.id FROM exercises fe WHERE fe.module_id = ${filters.moduleId})`);
  }
  if (filters.subjectId !== undefined) {
    out.push(
      sql<SqlBool>`${col('exercise_id')} IN (SELECT fe.id FROM exercises fe INNER JOIN modules fm ON fm.id = fe.module_id WHERE fm.subject_id = ${filters.subjectId})`,
    );
  }
  if (filters.freeText !== undefined) {
    const text = foldCase(filters.freeText);
    const visibleResponses = withStaffOnlyText ? sql`` : sql` AND fr.segel_only = ${false}`;
    out.push(
      sql<SqlBool>`(${foldedContains(engine, col('title'), text)}
        OR EXISTS (SELECT 1 FROM help_responses fr WHERE fr.help_id = ${col('id')} AND ${foldedContains(engine, sql.ref('fr.contents'), text)}${visibleResponses}))`,
    );
  }
  if (filters.staffUpdatedAfter !== undefined) out.push(sql<SqlBool>`${col('last_staff_updated')} > ${filters.staffUpdatedAfter}`);
  out.push(...threadUserConditions(`${alias}.user_id`, filters));
  return out;
}

/** The scope and the filters of `query` on `help_threads as h`. */
function conditions(query: HelpQuery): Expression<SqlBool>[] {
  const visible = scopeCondition(query.scope);
  return [...(visible ? [visible] : []), ...filterConditions(query.engine, query.filters, query.withStaffOnlyText)];
}

/**
 * ORDER BY terms for `ordering`, then ascending id. A missing checker sorts after every checker
 * ascending and before them descending on both engines (PostgreSQL's own rule for NULL).
 */
function orderTerms(ordering: HelpOrder[], alias = 'h'): Expression<unknown>[] {
  const terms: Expression<unknown>[] = [];
  const seen = new Set<HelpOrderField>();
  for (const { field, descending } of ordering) {
    if (seen.has(field)) continue;
    seen.add(field);
    const column = sql.ref(`${alias}.${ORDER_COLUMN[field]}`);
    const direction = descending ? sql`DESC` : sql`ASC`;
    if (field === 'checker') terms.push(sql`(CASE WHEN ${column} IS NULL THEN 1 ELSE 0 END) ${direction}`);
    terms.push(sql`${column} ${direction}`);
  }
  if (!seen.has('id')) terms.push(sql`${sql.ref(`${alias}.id`)} ASC`);
  return terms;
}

/** Queries on help threads (`help_threads`); their responses are help-responses.repo.ts. */
export const helpRepo = {
  async count(db: Db, query: HelpQuery): Promise<number> {
    let q = db.selectFrom('help_threads as h').select(sql<number>`count(*)`.as('n'));
    for (const c of conditions(query)) q = q.where(c);
    return Number((await q.executeTakeFirstOrThrow()).n);
  },

  /** The matching threads in `ordering` (then id) order, optionally one page of them. */
  list(db: Db, query: HelpQuery, ordering: HelpOrder[], page?: { limit: number; offset: number }): Promise<HelpRow[]> {
    let q = db.selectFrom('help_threads as h').selectAll('h');
    for (const c of conditions(query)) q = q.where(c);
    for (const term of orderTerms(ordering)) q = q.orderBy(term);
    if (page) q = q.limit(page.limit).offset(page.offset);
    return q.execute();
  },

  /** Whether the thread `id` is in the scope. */
  async inScope(db: Db, scope: HelpScope, id: number): Promise<boolean> {
    let q = db.selectFrom('help_threads as h').select('h.id').where('h.id', '=', id);
    const visible = scopeCondition(scope);
    if (visible) q = q.where(visible);
    return (await q.executeTakeFirst()) !== undefined;
  },

  byId(db: Db, id: number): Promise<HelpRow | undefined> {
    return db.selectFrom('help_threads').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async insert(db: Db, row: NewRow<'help_threads'>): Promise<number> {
    return (await db.insertInto('help_threads').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: RowPatch<'help_threads'>): Promise<void> {
    await db.updateTable('help_threads').set(patch).where('id', '=', id).execute();
  },

  /** Deletes the thread with its responses, notifications and subscriptions (call it in a transaction). */
  async deleteWithDependents(db: Db, id: number): Promise<void> {
    await db.deleteFrom('notifications').where('help_id', '=', id).execute();
    await db.deleteFrom('subscriptions').where('help_id', '=', id).execute();
    await db.deleteFrom('help_responses').where('help_id', '=', id).execute();
    await db.deleteFrom('help_threads').where('id', '=', id).execute();
  },

  /** The names of the checkers holding threads. */
  checkerNames(db: Db, ids: number[]): Promise<{ id: number; first_name: string; last_name: string }[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return db.selectFrom('users').select(['id', 'first_name', 'last_name']).where('id', 'in', ids).execute();
  },

  /**
   * The non-empty answers the staff side (checkers and above) gave most often on the other
   * threads in scope of the same type about the same exercise (or about none), most frequent
   * first, then most recent.
   */
  async topResponses(db: Db, scope: HelpScope, help: HelpRow, limit: number): Promise<{ contents: string | null }[]> {
    let q = db
      .selectFrom('help_responses as r')
      .innerJoin('help_threads as h', 'h.id', 'r.help_id')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select(['r.contents', sql<number>`count(*)`.as('uses'), sql<number>`max(r.id)`.as('latest')])
      .where('h.id', '<>', help.id)
      .where('h.help_type', '=', help.help_type)
      .where('u.clearance', '>=', Clearance.checker)
      .where('r.contents', 'is not', null)
      .where('r.contents', '<>', '');
    q = help.exercise_id === null ? q.where('h.exercise_id', 'is', null) : q.where('h.exercise_id', '=', help.exercise_id);
    const visible = scopeCondition(scope);
    if (visible) q = q.where(visible);
    const rows = await q.groupBy('r.contents').orderBy(sql`count(*)`, 'desc').orderBy(sql`max(r.id)`, 'desc').limit(limit).execute();
    return rows.map((r) => ({ contents: r.contents }));
  },

  /** The matching threads with their students' names, by when staff last touched them, the most recent first. */
  latest(db: Db, query: HelpQuery) {
    let q = db
      .selectFrom('help_threads as h')
      .innerJoin('users as u', 'u.id', 'h.user_id')
      .select(['h.id', 'h.user_id', 'h.last_staff_updated', 'u.first_name', 'u.last_name', 'u.username']);
    for (const c of conditions(query)) q = q.where(c);
    return q.orderBy('h.last_staff_updated', 'desc').orderBy('h.id', 'desc').execute();
  },
};
