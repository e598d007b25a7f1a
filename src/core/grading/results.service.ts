import type { Db } from '../../db/database.ts';
import type { FinishedJob, JobResult } from '../../grading/queue/types.ts';
import type { GradeResult, Outcome, ProblemResult, TestResult } from '../../grading/results/types.ts';
import type { Clock } from '../clock.ts';
import { resultsRepo } from './results.repo.ts';

const OUTCOMES: readonly Outcome[] = ['success', 'failed', 'timeout', 'overflow', 'crash', 'error', 'killed'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const outcome = (v: unknown): Outcome | null => (OUTCOMES as readonly unknown[]).includes(v) ? (v as Outcome) : null;

function readTest(raw: unknown, i: number): TestResult | null {
  if (!isObject(raw)) return null;
  return {
    name: text(raw.name) || `Test ${i + 1}`,
    score: finite(raw.score),
    maxScore: finite(raw.maxScore),
    status: raw.status === 'passed' || raw.status === 'failed' ? raw.status : null,
    output: text(raw.output),
    visibility: text(raw.visibility) || 'visible',
  };
}

function readProblem(raw: unknown): ProblemResult | null {
  if (!isObject(raw)) return null;
  const out: ProblemResult = {};
  const score = finite(raw.score);
  const result = outcome(raw.result);
  if (score !== null) out.score = score;
  if (result !== null) out.result = result;
  if (typeof raw.feedback === 'string') out.feedback = raw.feedback;
  return out;
}

/**
 * The grade a job's result carries, checked and normalised; null when there is none (No Check)
 * or it is not a grade at all. Whatever a runner stored, readers get well-typed values: a field
 * of the wrong type reads as its empty value, never as an exception.
 */
export function readGrade(result: JobResult | null | undefined): GradeResult | null {
  const raw = isObject(result) ? result.grade : null;
  if (!isObject(raw)) return null;
  // fromEntries defines own properties, so a problem named `__proto__` stays a problem.
  const problems: Record<string, ProblemResult> = Object.fromEntries(
    (isObject(raw.problems) ? Object.entries(raw.problems) : []).flatMap(([name, value]) => {
      const problem = readProblem(value);
      return problem ? [[name, problem] as const] : [];
    }),
  );
  return {
    outcome: outcome(raw.outcome) ?? 'error',
    staffError: raw.staffError === true,
    score: finite(raw.score),
    maxScore: finite(raw.maxScore),
    feedback: text(raw.feedback),
    tests: Array.isArray(raw.tests) ? raw.tests.flatMap((t, i) => readTest(t, i) ?? []) : [],
    problems,
    scoreboard: Array.isArray(raw.scoreboard) ? raw.scoreboard : null,
    log: text(raw.log),
    warnings: Array.isArray(raw.warnings) ? raw.warnings.filter((w): w is string => typeof w === 'string') : [],
  };
}

/** PostgreSQL's text cannot hold NUL, and a harness may well print one. */
const storable = (s: string): string => s.replace(/\0/g, '');

/**
 * What a finished grading job means for its submission: the automatic feedback and the score of
 * each problem the grade names. Runs inside the transaction that marks the job done, so each
 * job's result is written exactly once; a rerun is another job and records another grading.
 */
export class ResultsService {
  constructor(private readonly clock: Clock) {}

  /**
   * Writes one `feedback` row (the grade's text and score, released, no author) and one `grades`
   * row per problem of the exercise that the grade scores (matched by name; other names are
   * ignored). Nothing for a result without a grade (`No Check`) or a job without a submission.
   * A malformed result is read as far as it goes and never throws: a throw here would fail the
   * job's completion and grade it again.
   */
  async recordGradeResult(trx: Db, job: FinishedJob, result: JobResult): Promise<void> {
    const grade = readGrade(result);
    if (!grade || job.submission_id === null) return;
    const now = this.clock.now();
    await resultsRepo.insertFeedback(trx, {
        submission_id: job.submission_id,
        author_id: null,
        text: storable(grade.feedback),
        points: grade.score,
        // A staff error judges the grader, not the student's work: neither passing nor failing.
        passing: grade.staffError ? null : grade.outcome === 'success',
        released: true,
        created_at: now,
      });
    const named = Object.entries(grade.problems).filter(([, p]) => p.score !== undefined);
    if (named.length === 0) return;
    const problems = await resultsRepo.problemsOf(trx, job.exercise_id);
    const scores = new Map(named.map(([name, p]) => [name, p.score!]));
    const rows = problems
      .filter((p) => scores.has(p.name))
      .map((p) => ({ submission_id: job.submission_id!, problem_id: p.id, score: scores.get(p.name)!, released: true, grader_id: null, created_at: now }));
    await resultsRepo.insertGrades(trx, rows);
  }
}
