import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';

/** Filters on a thread's student shared by assignments and help threads (`user__…`). */
export interface ThreadUserFilters {
  userIds?: number[];
  classId?: number;
  classIds?: number[];
  mentorId?: number;
  mentorIds?: number[];
  programIds?: number[];
}

const list = (ids: number[]) => sql.join(ids.map((id) => sql`${id}`));

/**
 * The conditions of `filters` on the student whose id is in `userColumn` (a trusted column
 * reference such as `a.user_id`). An empty `__in` list matches nothing, as in Django.
 */
export function threadUserConditions(userColumn: string, filters: ThreadUserFilters): Expression<SqlBool>[] {
  const user = sql.ref(userColumn);
  const none = sql<SqlBool>`1 = 0`;
  /** The student has a row in `table` whose `column` is one of `ids` (an empty list matches nothing). */
  const related = (table: 'class_members' | 'users', key: 'user_id' | 'id', column: 'class_id' | 'mentor_id' | 'program_id', ids: number[]) =>
    ids.length === 0 ? none : sql<SqlBool>`EXISTS (SELECT 1 FROM ${sql.table(table)} r WHERE r.${sql.ref(key)} = ${user} AND r.${sql.ref(column)} IN (${list(ids)}))`;
  const out: Expression<SqlBool>[] = [];
  if (filters.userIds !== undefined) out.push(filters.userIds.length === 0 ? none : sql<SqlBool>`${user} IN (${list(filters.userIds)})`);
  if (filters.classId !== undefined) out.push(related('class_members', 'user_id', 'class_id', [filters.classId]));
  if (filters.classIds !== undefined) out.push(related('class_members', 'user_id', 'class_id', filters.classIds));
  if (filters.mentorId !== undefined) out.push(related('users', 'id', 'mentor_id', [filters.mentorId]));
  if (filters.mentorIds !== undefined) out.push(related('users', 'id', 'mentor_id', filters.mentorIds));
  if (filters.programIds !== undefined) out.push(related('users', 'id', 'program_id', filters.programIds));
  return out;
}
