import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';
import type { Engine } from '../../db/columns.ts';
import { foldCase, foldedContains } from '../../db/case-fold.ts';
import type { ThreadUserFilters } from '../threads/user-filters.ts';
import { threadUserConditions } from '../threads/user-filters.ts';
import type { HelpStatus, HelpType } from './help-enums.ts';

/** The filters of the help list, of `bulk_respond` and of the `latest` feed. */
export interface HelpFilters extends ThreadUserFilters {
  id?: number;
  createdBy?: number;
  /** Hive's `current`: true keeps the open threads, false the resolved ones. */
  current?: boolean;
  exerciseId?: number;
  moduleId?: number;
  subjectId?: number;
  /** Case-insensitive substring of the title or of a response's contents. */
  freeText?: string;
  statuses?: HelpStatus[];
  types?: HelpType[];
  /** Only threads staff changed after this time (the dashboards' incremental poll). */
  staffUpdatedAfter?: string;
}

export const HELP_ORDER_FIELDS = ['id', 'title', 'help_type', 'help_status', 'user', 'checker'] as const;
export type HelpOrderField = (typeof HELP_ORDER_FIELDS)[number];
export interface HelpOrder {
  field: HelpOrderField;
  descending: boolean;
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

/**
 * The conditions of `filters` on the help thread aliased `alias`. `withStaffOnlyText` says whether
 * the free text may match staff-only responses (never for a student, who cannot see them).
 */
export function helpFilterConditions(engine: Engine, filters: HelpFilters, options: { withStaffOnlyText: boolean }, alias = 'h'): Expression<SqlBool>[] {
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
    const visibleResponses = options.withStaffOnlyText ? sql`` : sql` AND fr.segel_only = ${false}`;
    out.push(
      sql<SqlBool>`(${foldedContains(engine, col('title'), text)}
        OR EXISTS (SELECT 1 FROM help_responses fr WHERE fr.help_id = ${col('id')} AND ${foldedContains(engine, sql.ref('fr.contents'), text)}${visibleResponses}))`,
    );
  }
  if (filters.staffUpdatedAfter !== undefined) out.push(sql<SqlBool>`${col('last_staff_updated')} > ${filters.staffUpdatedAfter}`);
  out.push(...threadUserConditions(`${alias}.user_id`, filters));
  return out;
}

/**
 * ORDER BY terms for `ordering`, then ascending id. A missing checker sorts after every checker
 * ascending and before them descending on both engines (PostgreSQL's own rule for NULL).
 */
export function helpOrderTerms(ordering: HelpOrder[], alias = 'h'): Expression<unknown>[] {
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
