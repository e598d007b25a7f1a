import type { Db } from '../../db/database.ts';
import type { NewRow, RowOf, RowPatch } from '../../db/types.ts';
import type { ContentInput } from './contents.ts';

export type ResponseRow = RowOf<'responses'>;

/** Queries on an assignment's responses (`responses`, `response_contents`) and the submissions they stand for. */
export const responsesRepo = {
  /** The assignment's responses (or the one `responseId`) in id order; without staff-only ones unless asked. */
  ofAssignment(db: Db, assignmentId: number, withStaffOnly: boolean, responseId?: number): Promise<ResponseRow[]> {
    let q = db.selectFrom('responses').selectAll().where('assignment_id', '=', assignmentId);
    if (responseId !== undefined) q = q.where('id', '=', responseId);
    if (!withStaffOnly) q = q.where('segel_only', '=', false);
    return q.orderBy('id').execute();
  },

  contentsOf(db: Db, responseIds: number[]): Promise<RowOf<'response_contents'>[]> {
    return db.selectFrom('response_contents').selectAll().where('response_id', 'in', responseIds).orderBy('response_id').orderBy('position').execute();
  },

  /** The grading jobs of the responses' submissions, in id order. */
  async jobsOf(db: Db, responseIds: number[]): Promise<{ id: number; response_id: number }[]> {
    const rows = await db.selectFrom('grading_jobs').select(['id', 'response_id']).where('response_id', 'in', responseIds).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, response_id: r.response_id! }));
  },

  /** The timelines of the jobs, in id order. */
  jobEvents(db: Db, jobIds: number[]): Promise<RowOf<'grading_job_events'>[]> {
    if (jobIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('grading_job_events').selectAll().where('job_id', 'in', jobIds).orderBy('id').execute();
  },

  async authorOf(db: Db, id: number): Promise<number | null | undefined> {
    return (await db.selectFrom('responses').select('user_id').where('id', '=', id).executeTakeFirst())?.user_id;
  },

  /** The exercise an assignment's response is written against. */
  exerciseOf(db: Db, exerciseId: number): Promise<{ id: number; course_id: number; name: string } | undefined> {
    return db.selectFrom('exercises').select(['id', 'course_id', 'name']).where('id', '=', exerciseId).executeTakeFirst();
  },

  async insert(db: Db, row: NewRow<'responses'>): Promise<number> {
    return (await db.insertInto('responses').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: RowPatch<'responses'>): Promise<void> {
    await db.updateTable('responses').set(patch).where('id', '=', id).execute();
  },

  /** Replaces the response's answers. */
  async setContents(db: Db, responseId: number, contents: ContentInput[]): Promise<void> {
    await db.deleteFrom('response_contents').where('response_id', '=', responseId).execute();
    if (contents.length === 0) return;
    await db
      .insertInto('response_contents')
      .values(contents.map((c, position) => ({ response_id: responseId, position, field_id: c.field, content: c.content })))
      .execute();
  },

  /** Removes the response; its submission and grading jobs stay, no longer linked to it (call it in a transaction). */
  async delete(db: Db, id: number): Promise<void> {
    await db.updateTable('submissions').set({ response_id: null }).where('response_id', '=', id).execute();
    await db.updateTable('grading_jobs').set({ response_id: null }).where('response_id', '=', id).execute();
    await db.deleteFrom('response_contents').where('response_id', '=', id).execute();
    await db.deleteFrom('responses').where('id', '=', id).execute();
  },

  /** The response's file and its size (0 when the blob is not recorded). */
  async file(db: Db, id: number): Promise<{ blob: string | null; size: number } | undefined> {
    const row = await db
      .selectFrom('responses')
      .leftJoin('blobs', 'blobs.sha256', 'responses.file_blob')
      .select(['responses.file_blob', 'blobs.size'])
      .where('responses.id', '=', id)
      .executeTakeFirst();
    return row && { blob: row.file_blob, size: row.size ?? 0 };
  },

  /** The number the assignment's next submission takes. */
  async nextSubmissionNumber(db: Db, assignmentId: number): Promise<number> {
    const previous = await db.selectFrom('submissions').select((eb) => eb.fn.max('number').as('n')).where('assignment_id', '=', assignmentId).executeTakeFirst();
    return Number(previous?.n ?? 0) + 1;
  },

  async insertSubmission(db: Db, row: NewRow<'submissions'>): Promise<number> {
    return (await db.insertInto('submissions').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  /** The submission a Submission response stands for, with its exercise and course. */
  submissionOf(db: Db, responseId: number): Promise<{ id: number; exercise_id: number; course_id: number } | undefined> {
    return db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['s.id', 'e.id as exercise_id', 'e.course_id'])
      .where('s.response_id', '=', responseId)
      .executeTakeFirst();
  },

  /** The assignment, its status and exercise behind a Submission response (what a finished autocheck moves). */
  submissionTarget(db: Db, responseId: number) {
    return db
      .selectFrom('responses as r')
      .innerJoin('assignments as a', 'a.id', 'r.assignment_id')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['r.assignment_id', 'a.status', 'a.exercise_id', 'e.autodone', 'e.name'])
      .where('r.id', '=', responseId)
      .where('r.response_type', '=', 'Submission')
      .executeTakeFirst();
  },
};
