import type { Db } from '../../db/database.ts';
import { coursesRepo } from '../courses/courses.repo.ts';
import type { InginiousCoursesTable, InginiousTasksTable } from '../../db/tables/inginious.ts';
import type { Insertable } from 'kysely';

/** What a task import writes: the core rows matched by slug, and the INGInious rows beside them. */

export interface CourseColumns {
  name: string;
  start_at: string | null;
  end_at: string | null;
}

export type CourseExtra = Omit<Insertable<InginiousCoursesTable>, 'id' | 'course_id'>;
export type TaskExtra = Omit<Insertable<InginiousTasksTable>, 'id' | 'exercise_id'>;

export interface ExerciseColumns {
  name: string;
  description: string;
  order: string;
  start_at: string | null;
  due_at: string | null;
  end_at: string | null;
  max_submissions: number | null;
}

/** Creates or updates the course with this slug; answers its id and whether it is new. */
export async function upsertCourse(tx: Db, slug: string, columns: CourseColumns, now: string): Promise<{ id: number; created: boolean }> {
  const existing = await tx.selectFrom('courses').select('id').where('slug', '=', slug).executeTakeFirst();
  if (existing) {
    await tx.updateTable('courses').set(columns).where('id', '=', existing.id).execute();
    return { id: existing.id, created: false };
  }
  return { id: await coursesRepo.create(tx, { ...columns, slug, created_at: now }), created: true };
}

export async function upsertCourseExtra(tx: Db, courseId: number, extra: CourseExtra): Promise<void> {
  await tx
    .insertInto('inginious_courses')
    .values({ course_id: courseId, ...extra })
    .onConflict((oc) => oc.column('course_id').doUpdateSet(extra))
    .execute();
}

/** Creates or updates the course's exercise with this slug; answers its id and whether it is new. */
export async function upsertExercise(tx: Db, courseId: number, slug: string, columns: ExerciseColumns, now: string): Promise<{ id: number; created: boolean }> {
  const existing = await tx.selectFrom('exercises').select('id').where('course_id', '=', courseId).where('slug', '=', slug).executeTakeFirst();
  if (existing) {
    await tx.updateTable('exercises').set({ ...columns, updated_at: now }).where('id', '=', existing.id).execute();
    return { id: existing.id, created: false };
  }
  const row = await tx.insertInto('exercises').values({ ...columns, course_id: courseId, slug, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  return { id: row.id, created: true };
}

export async function upsertTaskExtra(tx: Db, exerciseId: number, extra: TaskExtra): Promise<void> {
  await tx
    .insertInto('inginious_tasks')
    .values({ exercise_id: exerciseId, ...extra })
    .onConflict((oc) => oc.column('exercise_id').doUpdateSet(extra))
    .execute();
}
