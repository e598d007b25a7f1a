import type { Db } from '../../db/database.ts';
import type { NewRow, RowOf } from '../../db/types.ts';

export type ReportRow = RowOf<'similarity_reports'>;
export type PairRow = RowOf<'similarity_pairs'>;

/** Pairs written per statement (9 values each: well under SQLite's and PostgreSQL's parameter limits). */
const PAIR_CHUNK = 100;

/** A submission compared in a report, with whose it is. */
export interface LatestSubmission {
  id: number;
  tree_id: number | null;
  user_id: number;
  username: string;
  first_name: string;
  last_name: string;
}

/** Submissions with the student whose assignment each is (LatestSubmission's columns). */
const withOwners = (db: Db) =>
  db
    .selectFrom('submissions as s')
    .innerJoin('assignments as a', 'a.id', 's.assignment_id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['s.id', 's.tree_id', 'u.id as user_id', 'u.username', 'u.first_name', 'u.last_name']);

/** The queries of similarity reports (src/core/similarity/similarity.service.ts). */
export const similarityRepo = {
  async insertReport(db: Db, row: NewRow<'similarity_reports'>): Promise<number> {
    const { id } = await db.insertInto('similarity_reports').values(row).returning('id').executeTakeFirstOrThrow();
    return id;
  },

  async updateReport(db: Db, id: number, patch: Partial<Omit<ReportRow, 'id'>>): Promise<void> {
    await db.updateTable('similarity_reports').set(patch).where('id', '=', id).execute();
  },

  byId(db: Db, id: number): Promise<ReportRow | undefined> {
    return db.selectFrom('similarity_reports').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** The exercise's newest report. */
  latest(db: Db, exerciseId: number): Promise<ReportRow | undefined> {
    return db.selectFrom('similarity_reports').selectAll().where('exercise_id', '=', exerciseId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  },

  /** The exercise's reports still marked running (a live one, or one whose server stopped). */
  running(db: Db, exerciseId: number): Promise<ReportRow[]> {
    return db.selectFrom('similarity_reports').selectAll().where('exercise_id', '=', exerciseId).where('status', '=', 'running').execute();
  },

  /** Older reports of the exercise (their pairs go with them). */
  async deleteOlder(db: Db, exerciseId: number, keepId: number): Promise<void> {
    await db.deleteFrom('similarity_reports').where('exercise_id', '=', exerciseId).where('id', '<', keepId).where('status', '!=', 'running').execute();
  },

  /** The exercise's handout and reference solution trees (null: none). */
  templateTrees(db: Db, exerciseId: number) {
    return db.selectFrom('exercises').select(['course_id', 'handout_tree_id', 'solution_tree_id']).where('id', '=', exerciseId).executeTakeFirst();
  },

  /**
   * The latest submission of each assignment of the exercise whose owner is a student of the
   * course (dropped ones too; not staff trying the exercise out), by submission id.
   */
  latestSubmissions(db: Db, exerciseId: number): Promise<LatestSubmission[]> {
    return withOwners(db)
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .innerJoin('enrollments as en', (join) => join.onRef('en.user_id', '=', 'a.user_id').onRef('en.course_id', '=', 'e.course_id').on('en.role', '=', 'student'))
      .where('a.exercise_id', '=', exerciseId)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('submissions as newer').select('newer.id').whereRef('newer.assignment_id', '=', 's.assignment_id').whereRef('newer.number', '>', 's.number'))),
      )
      .orderBy('s.id')
      .execute();
  },

  async insertPairs(db: Db, rows: NewRow<'similarity_pairs'>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += PAIR_CHUNK) await db.insertInto('similarity_pairs').values(rows.slice(i, i + PAIR_CHUNK)).execute();
  },

  async countPairs(db: Db, reportId: number): Promise<number> {
    const { n } = await db.selectFrom('similarity_pairs').select((eb) => eb.fn.countAll<number | string>().as('n')).where('report_id', '=', reportId).executeTakeFirstOrThrow();
    return Number(n);
  },

  /** A page of the report's pairs by rank, without their fragments. */
  pairs(db: Db, reportId: number, limit: number, offset: number) {
    return db
      .selectFrom('similarity_pairs')
      .select(['rank', 'left_submission_id', 'right_submission_id', 'similarity', 'longest', 'overlap'])
      .where('report_id', '=', reportId)
      .orderBy('rank')
      .limit(limit)
      .offset(offset)
      .execute();
  },

  pairByRank(db: Db, reportId: number, rank: number): Promise<PairRow | undefined> {
    return db.selectFrom('similarity_pairs').selectAll().where('report_id', '=', reportId).where('rank', '=', rank).executeTakeFirst();
  },

  /** Submissions with their student, by id (for naming a report's pairs). */
  submissionOwners(db: Db, ids: number[]): Promise<LatestSubmission[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return withOwners(db).where('s.id', 'in', ids).execute();
  },
};
