import type { JobResult } from '../../grading/queue/types.ts';
import { readGrade } from '../grading/results.service.ts';
import type { JobRow } from './tasks.repo.ts';

/** INGInious' view of a submission's grading: `done` only for `success` and `failed` results. */
export type SubmissionState =
  | { status: 'waiting' }
  | { status: 'error' }
  | {
      status: 'done';
      result: 'success' | 'failed';
      grade: number;
      feedback: string;
      /** Per problem: the result and the feedback (problems the grader said nothing of are absent). */
      problems: Record<string, [string, string]>;
    };

const parse = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/** A core-graded result (inginious_results) as stored. */
export function stateOfCoreResult(text: string): SubmissionState {
  const raw = parse(text) as { result?: unknown; grade?: unknown; feedback?: unknown; problems?: Record<string, { result: string; feedback: string }> } | null;
  if (!raw || (raw.result !== 'success' && raw.result !== 'failed') || typeof raw.grade !== 'number') return { status: 'error' };
  const problems = Object.fromEntries(Object.entries(raw.problems ?? {}).map(([id, p]) => [id, [p.result, p.feedback] as [string, string]]));
  return { status: 'done', result: raw.result, grade: raw.grade, feedback: typeof raw.feedback === 'string' ? raw.feedback : '', problems };
}

/**
 * The latest grading job's state: waiting while queued, running or parked; `error` when it
 * failed, had nothing to run (no grader), or ended in timeout, overflow, crash, killed or error
 * (reference §5.2). The grade defaults to 100 on success and 0 otherwise.
 */
export function stateOfJob(job: JobRow | undefined): SubmissionState {
  if (!job || job.status === 'queued' || job.status === 'running' || job.status === 'waiting') return { status: 'waiting' };
  if (job.status !== 'done') return { status: 'error' };
  const grade = readGrade(parse(job.result) as JobResult | null);
  if (!grade || grade.staffError || (grade.outcome !== 'success' && grade.outcome !== 'failed')) return { status: 'error' };
  const problems: Record<string, [string, string]> = {};
  for (const [id, p] of Object.entries(grade.problems)) {
    if (p.result === undefined && p.feedback === undefined) continue;
    problems[id] = [p.result ?? grade.outcome, p.feedback ?? ''];
  }
  return {
    status: 'done',
    result: grade.outcome,
    grade: grade.score ?? (grade.outcome === 'success' ? 100 : 0),
    feedback: grade.feedback,
    problems,
  };
}
