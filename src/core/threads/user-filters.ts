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
  const out: Expression<SqlBool>[] = [];
  const inList = (expr: ReturnType<typeof sql>, ids: number[]) => (ids.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`${expr} IN (${list(ids)})`);
  if (filters.userIds !== undefined) out.push(inList(sql`${user}`, filters.userIds));
  if (filters.classId !== undefined) out.push(sql<SqlBool>`EXISTS (SELECT 1 FROM class_members cm WHERE cm.user_id = ${user} AND cm.class_id = ${filters.classId})`);
  if (filters.classIds !== undefined) {
    out.push(
      filters.classIds.length === 0
        ? sql<SqlBool>`1 = 0`
        : sql<SqlBool>`EXISTS (SELECT 1 FROM class_members cm WHERE cm.user_id = ${user} AND cm.class_id IN (${list(filters.classIds)}))`,
    );
  }
  if (filters.mentorId !== undefined) out.push(sql<SqlBool>`EXISTS (SELECT 1 FROM users fu WHERE fu.id = ${user} AND fu.mentor_id = ${filters.mentorId})`);
  if (filters.mentorIds !== undefined) {
    out.push(
      filters.mentorIds.length === 0
        ? sql<SqlBool>`1 = 0`
        : sql<SqlBool>`EXISTS (SELECT 1 FROM users fu WHERE fu.id = ${user} AND fu.mentor_id IN (${list(filters.mentorIds)}))`,
    );
  }
  if (filters.programIds !== undefined) {
    out.push(
      filters.programIds.length === 0
        ? sql<SqlBool>`1 = 0`
        : sql<SqlBool>`EXISTS (SELECT 1 FROM users fu WHERE fu.id = ${user} AND fu.program_id IN (${list(filters.programIds)}))`,
    );
  }
  return out;
}
