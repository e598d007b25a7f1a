import type { Db } from '../../db/database.ts';

export interface LineCommentRow {
  id: number;
  submission_id: number;
  author_id: number | null;
  path: string;
  line: number;
  text: string;
  created_at: string;
  author_first_name: string | null;
  author_last_name: string | null;
  author_username: string | null;
}

const base = (db: Db) =>
  db
    .selectFrom('line_comments as lc')
    .leftJoin('users as u', 'u.id', 'lc.author_id')
    .select(['lc.id', 'lc.submission_id', 'lc.author_id', 'lc.path', 'lc.line', 'lc.text', 'lc.created_at', 'u.first_name as author_first_name', 'u.last_name as author_last_name', 'u.username as author_username']);

/** Queries of the comments on lines of submitted files. */
export const lineCommentsRepo = {
  /** The comments of these submissions, by path, line, then id. */
  async bySubmissions(db: Db, submissionIds: number[]): Promise<LineCommentRow[]> {
    if (submissionIds.length === 0) return [];
    return base(db).where('lc.submission_id', 'in', submissionIds).orderBy('lc.submission_id').orderBy('lc.path').orderBy('lc.line').orderBy('lc.id').execute();
  },

  async byId(db: Db, submissionId: number, id: number): Promise<LineCommentRow | undefined> {
    return base(db).where('lc.submission_id', '=', submissionId).where('lc.id', '=', id).executeTakeFirst();
  },

  async insert(db: Db, row: { submission_id: number; author_id: number; path: string; line: number; text: string; created_at: string }): Promise<number> {
    return (await db.insertInto('line_comments').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('line_comments').where('id', '=', id).execute();
  },
};
