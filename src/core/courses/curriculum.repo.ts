import type { Db } from '../../db/database.ts';
import type { NewRow, RowPatch } from '../../db/types.ts';

/** The queries of one curriculum level (subjects, modules), in the shape the shared service uses. */
export interface CurriculumLevelRepo<Row, Filters, Insert, Patch> {
  /** Rows in `visible` courses (`null`: every course), filtered, by id. */
  list(db: Db, visible: number[] | null, filters: Filters): Promise<Row[]>;
  byId(db: Db, id: number): Promise<Row | undefined>;
  /** The course a parent row (course or subject) puts its children in. */
  parentCourse(db: Db, parentId: number): Promise<number>;
  insert(db: Db, row: Insert): Promise<number>;
  update(db: Db, id: number, patch: Patch): Promise<void>;
  /** Points the exercises under the row at `courseId` (the row moved to another course). */
  moveExercises(db: Db, id: number, courseId: number): Promise<void>;
  delete(db: Db, id: number): Promise<void>;
}

export interface SubjectRow {
  id: number;
  course_id: number;
  symbol: string;
  name: string;
  color: string;
  /** Staff notes (Hive's `segel_brief`). */
  segel_brief: string;
  course_name: string;
}

export interface ModuleRow {
  id: number;
  subject_id: number;
  name: string;
  order: string;
  course_id: number;
  course_name: string;
  subject_name: string;
  subject_symbol: string;
  subject_color: string;
}

const subjectsQuery = (db: Db) =>
  db
    .selectFrom('subjects')
    .innerJoin('courses', 'courses.id', 'subjects.course_id')
    .select(['subjects.id', 'subjects.course_id', 'subjects.symbol', 'subjects.name', 'subjects.color', 'subjects.segel_brief', 'courses.name as course_name']);

const modulesQuery = (db: Db) =>
  db
    .selectFrom('modules')
    .innerJoin('subjects', 'subjects.id', 'modules.subject_id')
    .innerJoin('courses', 'courses.id', 'subjects.course_id')
    .select([
      'modules.id',
      'modules.subject_id',
      'modules.name',
      'modules.order',
      'subjects.course_id',
      'courses.name as course_name',
      'subjects.name as subject_name',
      'subjects.symbol as subject_symbol',
      'subjects.color as subject_color',
    ]);

export const subjectsRepo: CurriculumLevelRepo<SubjectRow, { courseIds?: number[] }, NewRow<'subjects'>, RowPatch<'subjects'>> = {
  list(db, visible, filters) {
    let q = subjectsQuery(db);
    if (visible !== null) q = visible.length > 0 ? q.where('subjects.course_id', 'in', visible) : q.where((eb) => eb.val(false));
    if (filters.courseIds) q = q.where('subjects.course_id', 'in', filters.courseIds);
    return q.orderBy('subjects.id').execute();
  },

  byId(db, id) {
    return subjectsQuery(db).where('subjects.id', '=', id).executeTakeFirst();
  },

  parentCourse(_db, courseId) {
    return Promise.resolve(courseId);
  },

  async insert(db, row) {
    return (await db.insertInto('subjects').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db, id, patch) {
    await db.updateTable('subjects').set(patch).where('id', '=', id).execute();
  },

  async moveExercises(db, id, courseId) {
    await db
      .updateTable('exercises')
      .set({ course_id: courseId })
      .where('module_id', 'in', (eb) => eb.selectFrom('modules').select('id').where('subject_id', '=', id))
      .execute();
  },

  async delete(db, id) {
    await db.deleteFrom('subjects').where('id', '=', id).execute();
  },
};

export const modulesRepo: CurriculumLevelRepo<ModuleRow, { subjectId?: number; courseIds?: number[] }, NewRow<'modules'>, RowPatch<'modules'>> = {
  list(db, visible, filters) {
    let q = modulesQuery(db);
    if (visible !== null) q = visible.length > 0 ? q.where('subjects.course_id', 'in', visible) : q.where((eb) => eb.val(false));
    if (filters.subjectId !== undefined) q = q.where('modules.subject_id', '=', filters.subjectId);
    if (filters.courseIds) q = q.where('subjects.course_id', 'in', filters.courseIds);
    return q.orderBy('modules.id').execute();
  },

  byId(db, id) {
    return modulesQuery(db).where('modules.id', '=', id).executeTakeFirst();
  },

  async parentCourse(db, subjectId) {
    return (await db.selectFrom('subjects').select('course_id').where('id', '=', subjectId).executeTakeFirstOrThrow()).course_id;
  },

  async insert(db, row) {
    return (await db.insertInto('modules').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db, id, patch) {
    await db.updateTable('modules').set(patch).where('id', '=', id).execute();
  },

  async moveExercises(db, id, courseId) {
    await db.updateTable('exercises').set({ course_id: courseId }).where('module_id', '=', id).execute();
  },

  async delete(db, id) {
    await db.deleteFrom('modules').where('id', '=', id).execute();
  },
};
