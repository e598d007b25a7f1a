import type { Db } from '../../db/database.ts';

/** Whether the user takes part in the course: a current enrolment in it, or it is their (Hive) program. */
export async function belongsToCourse(db: Db, userId: number, courseId: number): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('users.id')
    .where('users.id', '=', userId)
    .where((eb) =>
      eb.or([
        eb('users.program_id', '=', courseId),
        eb.exists(
          eb
            .selectFrom('enrollments')
            .select('enrollments.id')
            .whereRef('enrollments.user_id', '=', 'users.id')
            .where('enrollments.course_id', '=', courseId)
            .where('enrollments.dropped', '=', false),
        ),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}
