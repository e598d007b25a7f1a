import type { Generated } from 'kysely';

/** Tables added by migration 0022_line_comments (the checker's review of a submission), as Kysely sees them. */
export interface ReviewTables {
  line_comments: {
    id: Generated<number>;
    submission_id: number;
    author_id: number | null;
    path: string;
    line: number;
    text: string;
    created_at: string;
  };
}
