import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';
import type { TableSpec } from '../table-spec.ts';
import { createTable, opt, ref, req } from '../table-spec.ts';

/**
 * Similarity reports: one run of the source-code similarity analysis over the latest submissions
 * of an exercise (src/core/similarity/). The report row carries the run's state and progress;
 * its pairs, ranked, carry the matching fragments as JSON. A report goes with its exercise, a pair
 * with its report and with either submission (cascade).
 */
const similarityReports = {
  name: 'similarity_reports',
  columns: {
    exercise_id: ref('exercises'),
    started_by: ref('users', false),
    /** 'running', 'done' or 'failed'. */
    status: req('text'),
    /** What the run does now: 'reading', 'fingerprinting', 'comparing', 'saving' (done: 'done'). */
    phase: req('text'),
    /** Progress within the phase: `done` of `total` steps. */
    done: req('int', { default: 0 }),
    total: req('int', { default: 0 }),
    /** Submissions compared (those with at least one file in the report's language). */
    submissions: req('int', { default: 0 }),
    /** The language the library parsed the files as (null until chosen). */
    language: opt('text'),
    /** Why a failed run failed. */
    error: opt('text'),
    created_at: req('timestamp'),
    /** Touched at each progress step: a running report untouched for long lost its server. */
    updated_at: req('timestamp'),
    finished_at: opt('timestamp'),
  },
  indexes: [['exercise_id', 'id']],
  checks: ["status IN ('running', 'done', 'failed')"],
} as const satisfies TableSpec;

const similarityPairs = {
  name: 'similarity_pairs',
  columns: {
    report_id: ref('similarity_reports'),
    /** 1 for the most similar pair. */
    rank: req('int'),
    left_submission_id: ref('submissions'),
    right_submission_id: ref('submissions'),
    /** Shared fingerprints over all fingerprints of the two (0..1), template code left out. */
    similarity: req('real'),
    /** The longest run of shared fingerprints, and how many are shared in all. */
    longest: req('int'),
    overlap: req('int'),
    /** JSON: [{left: [startRow, startCol, endRow, endCol], right: [...]}, ...] in the pair's documents. */
    fragments: req('text'),
  },
  indexes: [['report_id', 'rank'], ['left_submission_id'], ['right_submission_id']],
} as const satisfies TableSpec;

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await createTable(db, engine, similarityReports, new Set(['exercises', 'users']));
  await createTable(db, engine, similarityPairs, new Set(['similarity_reports', 'submissions']));
  // One running report per exercise, however many servers are asked at once (a partial index:
  // SQLite and PostgreSQL both have them).
  await sql`create unique index similarity_reports_one_running on similarity_reports (exercise_id) where status = 'running'`.execute(db);
}
