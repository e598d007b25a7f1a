import type { Db } from '../../db/database.ts';
import type { NewRow, RowPatch } from '../../db/types.ts';

/** What the exercise list narrows by; every id is already known to name a row. */
export interface ExerciseListQuery {
  /** The courses the reader sees; null: every course. */
  visible: number[] | null;
  id?: number;
  moduleId?: number;
  subjectId?: number;
  courseIds?: number[];
  tagIds?: number[];
  queueId?: number;
}

function withNames(db: Db) {
  return db
    .selectFrom('exercises')
    .innerJoin('courses', 'courses.id', 'exercises.course_id')
    .leftJoin('modules', 'modules.id', 'exercises.module_id')
    .leftJoin('subjects', 'subjects.id', 'modules.subject_id')
    .selectAll('exercises')
    .select([
      'courses.name as course_name',
      'modules.name as module_name',
      'modules.order as module_order',
      'subjects.id as subject_id',
      'subjects.name as subject_name',
      'subjects.symbol as subject_symbol',
      'subjects.color as subject_color',
    ]);
}

/** An exercise row with the names of its course, module and subject. */
export type ExerciseRecord = Awaited<ReturnType<ReturnType<typeof withNames>['execute']>>[number];

/** Queries on exercises (`exercises`, `exercise_tags`). */
export const exercisesRepo = {
  list(db: Db, f: ExerciseListQuery): Promise<ExerciseRecord[]> {
    let q = withNames(db);
    if (f.visible !== null) q = f.visible.length > 0 ? q.where('exercises.course_id', 'in', f.visible) : q.where((eb) => eb.val(false));
    if (f.id !== undefined) q = q.where('exercises.id', '=', f.id);
    if (f.moduleId !== undefined) q = q.where('exercises.module_id', '=', f.moduleId);
    if (f.subjectId !== undefined) q = q.where('modules.subject_id', '=', f.subjectId);
    if (f.courseIds) q = q.where('exercises.course_id', 'in', f.courseIds);
    const tagIds = f.tagIds;
    if (tagIds) {
      q = q.where(({ exists, selectFrom }) =>
        exists(selectFrom('exercise_tags').select('exercise_tags.tag_id').whereRef('exercise_tags.exercise_id', '=', 'exercises.id').where('exercise_tags.tag_id', 'in', tagIds)),
      );
    }
    if (f.queueId !== undefined) {
      const queueId = f.queueId;
      // An item names the exercise, or its module (with no tags, or a tag the exercise carries).
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('queue_items as qi')
            .select('qi.id')
            .where('qi.queue_id', '=', queueId)
            .where((eb) =>
              eb.or([
                eb('qi.exercise_id', '=', eb.ref('exercises.id')),
                eb.and([
                  eb('qi.module_id', '=', eb.ref('exercises.module_id')),
                  eb.or([
                    eb.not(eb.exists(eb.selectFrom('queue_item_tags as qt').select('qt.tag_id').whereRef('qt.item_id', '=', 'qi.id'))),
                    eb.exists(
                      eb
                        .selectFrom('queue_item_tags as qt')
                        .innerJoin('exercise_tags as et', 'et.tag_id', 'qt.tag_id')
                        .select('qt.tag_id')
                        .whereRef('qt.item_id', '=', 'qi.id')
                        .whereRef('et.exercise_id', '=', 'exercises.id'),
                    ),
                  ]),
                ]),
              ]),
            ),
        ),
      );
    }
    return q.orderBy('exercises.id').execute();
  },

  byId(db: Db, id: number): Promise<ExerciseRecord | undefined> {
    return withNames(db).where('exercises.id', '=', id).executeTakeFirst();
  },

  async byIds(db: Db, ids: number[]): Promise<ExerciseRecord[]> {
    const out: ExerciseRecord[] = [];
    for (let i = 0; i < ids.length; i += 500) out.push(...(await withNames(db).where('exercises.id', 'in', ids.slice(i, i + 500)).execute()));
    return out;
  },

  /** The tag names of each exercise, in tag id order. */
  async tagNames(db: Db, exerciseIds: number[]): Promise<Map<number, string[]>> {
    const names = new Map<number, string[]>();
    for (let i = 0; i < exerciseIds.length; i += 500) {
      const tags = await db
        .selectFrom('exercise_tags')
        .innerJoin('tags', 'tags.id', 'exercise_tags.tag_id')
        .select(['exercise_tags.exercise_id', 'tags.name'])
        .where('exercise_tags.exercise_id', 'in', exerciseIds.slice(i, i + 500))
        .orderBy('tags.id')
        .execute();
      for (const t of tags) names.set(t.exercise_id, [...(names.get(t.exercise_id) ?? []), t.name]);
    }
    return names;
  },

  /** What handing in needs, in one query: the exercise, its course's checker, its grader's limits and the user's current role in the course. */
  forSubmission(db: Db, id: number, userId: number) {
    return db
      .selectFrom('exercises')
      .innerJoin('courses', 'courses.id', 'exercises.course_id')
      .leftJoin('graders', 'graders.exercise_id', 'exercises.id')
      .select((eb) => [
        'exercises.id',
        'exercises.course_id',
        'exercises.name',
        'exercises.max_submissions',
        'courses.checker_id',
        'graders.wall_seconds',
        'graders.check_solution',
        eb
          .selectFrom('enrollments')
          .select('enrollments.role')
          .where('enrollments.user_id', '=', userId)
          .whereRef('enrollments.course_id', '=', 'exercises.course_id')
          .where('enrollments.dropped', '=', false)
          .limit(1)
          .as('role'),
      ])
      .where('exercises.id', '=', id)
      .executeTakeFirst();
  },

  /** Whether the user has a Done assignment on the exercise (their own or one they are a member of). */
  async doneBy(db: Db, exerciseId: number, userId: number): Promise<boolean> {
    const done = await db
      .selectFrom('assignments')
      .select('assignments.id')
      .where('assignments.exercise_id', '=', exerciseId)
      .where('assignments.status', '=', 'Done')
      .where((eb) =>
        eb.or([
          eb('assignments.user_id', '=', userId),
          eb('assignments.id', 'in', eb.selectFrom('assignment_members').select('assignment_members.assignment_id').where('assignment_members.user_id', '=', userId)),
        ]),
      )
      .executeTakeFirst();
    return done !== undefined;
  },

  /** The course of a module (through its subject). */
  async moduleCourse(db: Db, moduleId: number): Promise<number | undefined> {
    const row = await db
      .selectFrom('modules')
      .innerJoin('subjects', 'subjects.id', 'modules.subject_id')
      .select('subjects.course_id')
      .where('modules.id', '=', moduleId)
      .executeTakeFirst();
    return row?.course_id;
  },

  tagsByName(db: Db, names: string[]): Promise<{ id: number; name: string }[]> {
    if (names.length === 0) return Promise.resolve([]);
    return db.selectFrom('tags').select(['id', 'name']).where('name', 'in', names).execute();
  },

  /** The exercise of the course with this slug, if any. */
  async idBySlug(db: Db, courseId: number, slug: string): Promise<number | undefined> {
    return (await db.selectFrom('exercises').select('id').where('course_id', '=', courseId).where('slug', '=', slug).executeTakeFirst())?.id;
  },

  async insert(db: Db, row: NewRow<'exercises'>): Promise<number> {
    return (await db.insertInto('exercises').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: RowPatch<'exercises'>): Promise<void> {
    await db.updateTable('exercises').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('exercises').where('id', '=', id).execute();
  },

  async setTags(db: Db, exerciseId: number, tagIds: number[]): Promise<void> {
    await db.deleteFrom('exercise_tags').where('exercise_id', '=', exerciseId).execute();
    if (tagIds.length > 0) await db.insertInto('exercise_tags').values(tagIds.map((tag_id) => ({ exercise_id: exerciseId, tag_id }))).execute();
  },
};
