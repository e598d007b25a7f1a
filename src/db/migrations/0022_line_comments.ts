import type { Kysely } from 'kysely';
import type { Engine } from '../columns.ts';
import type { TableSpec } from '../table-spec.ts';
import { createTable, ref, req } from '../table-spec.ts';

/**
 * A checker's comments on lines of a submission's files (code review). They go with their
 * submission (cascade) and outlive their author's account (set null).
 */
const lineComments = {
  name: 'line_comments',
  columns: {
    submission_id: ref('submissions'),
    author_id: ref('users', false),
    /** A path of the submission's file tree. */
    path: req('text'),
    /** 1-based. */
    line: req('int'),
    text: req('text'),
    created_at: req('timestamp'),
  },
  indexes: [['submission_id', 'path', 'line']],
  checks: ['line >= 1'],
} as const satisfies TableSpec;

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await createTable(db, engine, lineComments, new Set(['submissions', 'users']));
}
