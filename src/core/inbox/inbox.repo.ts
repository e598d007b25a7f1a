import { sql } from 'kysely';
import type { SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { AssignmentScope } from '../assignments/assignment-visibility.ts';
import { assignmentScopeCondition } from '../assignments/assignments.repo.ts';

export interface InboxAssignmentRow {
  id: number;
  status: string;
  course_id: number;
  course_name: string;
  exercise_id: number;
  exercise_name: string;
  user_id: number;
  first_name: string;
  last_name: string;
  username: string;
  checker_id: number | null;
  checker_first_name: string | null;
  checker_last_name: string | null;
  checker_username: string | null;
  latest_submission: number | null;
  waiting_since: string;
}

export interface InboxHelpPlace {
  id: number;
  course_id: number | null;
  course_name: string | null;
  exercise_name: string | null;
  first_name: string;
  last_name: string;
  username: string;
  checker_first_name: string | null;
  checker_last_name: string | null;
  checker_username: string | null;
}

export interface AssignmentInboxQuery {
  statuses: string[];
  /** Who sees which assignment (assignment-visibility.ts); the repository makes it a condition. */
  scope: AssignmentScope;
  courseId?: number;
  exerciseId?: number;
  studentId?: number;
}

/** Queries of the checker's inbox: the assignments waiting for a check, and where help threads sit. */
export const inboxRepo = {
  async assignments(db: Db, q: AssignmentInboxQuery): Promise<InboxAssignmentRow[]> {
    let query = db
      .selectFrom('assignments as a')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .innerJoin('courses as c', 'c.id', 'e.course_id')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .leftJoin('users as k', 'k.id', 'a.checker_id')
      .select([
        'a.id',
        'a.status',
        'e.course_id',
        'c.name as course_name',
        'a.exercise_id',
        'e.name as exercise_name',
        'u.id as user_id',
        'u.first_name',
        'u.last_name',
        'u.username',
        'a.checker_id',
        'k.first_name as checker_first_name',
        'k.last_name as checker_last_name',
        'k.username as checker_username',
        sql<number | null>`(SELECT s.id FROM submissions s WHERE s.assignment_id = a.id ORDER BY s.number DESC LIMIT 1)`.as('latest_submission'),
        // Waiting since the latest submission (an assignment moved to Submitted by hand: since it changed).
        sql<string>`COALESCE((SELECT MAX(s.created_at) FROM submissions s WHERE s.assignment_id = a.id), a.updated_at)`.as('waiting_since'),
      ])
      .where('a.status', 'in', q.statuses);
    const visible = assignmentScopeCondition(q.scope);
    if (visible) query = query.where(visible);
    if (q.courseId !== undefined) query = query.where('e.course_id', '=', q.courseId);
    if (q.exerciseId !== undefined) query = query.where('a.exercise_id', '=', q.exerciseId);
    if (q.studentId !== undefined) query = query.where('a.user_id', '=', q.studentId);
    return query.execute();
  },

  /** The course (the exercise's, else the student's program), names and lock holder of help threads. */
  async helpPlaces(db: Db, ids: number[]): Promise<Map<number, InboxHelpPlace>> {
    const out = new Map<number, InboxHelpPlace>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db
        .selectFrom('help_threads as h')
        .innerJoin('users as u', 'u.id', 'h.user_id')
        .leftJoin('exercises as e', 'e.id', 'h.exercise_id')
        .leftJoin('courses as c', (join) => join.on(sql<SqlBool>`c.id = COALESCE(e.course_id, u.program_id)`))
        .leftJoin('users as k', 'k.id', 'h.checker_id')
        .select([
          'h.id',
          'c.id as course_id',
          'c.name as course_name',
          'e.name as exercise_name',
          'u.first_name',
          'u.last_name',
          'u.username',
          'k.first_name as checker_first_name',
          'k.last_name as checker_last_name',
          'k.username as checker_username',
        ])
        .where('h.id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(r.id, r);
    }
    return out;
  },
};

/** Where a thread sits for the inbox's live events: its course, status and lock holder. */
async function threadState(db: Db, kind: 'assignment' | 'help', id: number): Promise<{ course_id: number | null; status: string; checker_id: number | null } | undefined> {
  if (kind === 'assignment') {
    return db
      .selectFrom('assignments as a')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['e.course_id', 'a.status', 'a.checker_id'])
      .where('a.id', '=', id)
      .executeTakeFirst();
  }
  return db
    .selectFrom('help_threads as h')
    .innerJoin('users as u', 'u.id', 'h.user_id')
    .leftJoin('exercises as e', 'e.id', 'h.exercise_id')
    .select([sql<number | null>`COALESCE(e.course_id, u.program_id)`.as('course_id'), 'h.help_status as status', 'h.checker_id'])
    .where('h.id', '=', id)
    .executeTakeFirst();
}

/** The assignment a submission belongs to. */
async function assignmentOfSubmission(db: Db, submissionId: number): Promise<number | undefined> {
  return (await db.selectFrom('submissions').select('assignment_id').where('id', '=', submissionId).executeTakeFirst())?.assignment_id;
}

export const inboxEventsRepo = { threadState, assignmentOfSubmission };
