import type { Generated } from 'kysely';

/** The tables added by migration 0026_similarity (similarity reports and their ranked pairs), as Kysely sees them. */
export interface SimilarityTables {
  similarity_reports: {
    id: Generated<number>;
    exercise_id: number;
    started_by: number | null;
    status: string;
    phase: string;
    done: Generated<number>;
    total: Generated<number>;
    submissions: Generated<number>;
    language: string | null;
    error: string | null;
    created_at: string;
    updated_at: string;
    finished_at: string | null;
  };
  similarity_pairs: {
    id: Generated<number>;
    report_id: number;
    rank: number;
    left_submission_id: number;
    right_submission_id: number;
    similarity: number;
    longest: number;
    overlap: number;
    fragments: string;
  };
}
