/**
 * What one grading run leaves behind, whatever convention the harness follows, and what the
 * engine records from it. Parsers turn the former into the latter.
 */
export interface RunOutput {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  memoryExceeded: boolean;
  outputTruncated: boolean;
  /** The run's files went over the work dir quota (total bytes or file count). */
  workDirQuotaExceeded?: boolean;
  stdout: string;
  stderr: string;
  /** Reads a file the harness wrote in its work directory; null when it does not exist. */
  readFile(path: string): Promise<Buffer | null>;
}

/** INGInious' result vocabulary, which covers every way a run can end. */
export type Outcome = 'success' | 'failed' | 'timeout' | 'overflow' | 'crash' | 'error' | 'killed';
export const GRADE_OUTCOMES: readonly Outcome[] = ['success', 'failed', 'timeout', 'overflow', 'crash', 'error', 'killed'];

export interface TestResult {
  name: string;
  score: number | null;
  maxScore: number | null;
  status: 'passed' | 'failed' | null;
  output: string;
  /** Gradescope visibility: visible, hidden, after_due_date, after_published. */
  visibility: string;
}

export interface ProblemResult {
  score?: number;
  result?: Outcome;
  feedback?: string;
}

export interface GradeResult {
  outcome: Outcome;
  /** A harness fault (crash, garbage, failing the reference solution): staff's problem, not the student's. */
  staffError: boolean;
  score: number | null;
  maxScore: number | null;
  /** Feedback for the student. */
  feedback: string;
  tests: TestResult[];
  problems: Record<string, ProblemResult>;
  scoreboard: unknown[] | null;
  /** What staff see: stderr, parser complaints. */
  log: string;
  /** Staff warnings: the result breaks the grading contract with the exercise (see contract.ts). */
  warnings?: string[];
}

export function emptyResult(outcome: Outcome, feedback: string, log = '', staffError = false): GradeResult {
  return { outcome, staffError, score: null, maxScore: null, feedback, tests: [], problems: {}, scoreboard: null, log };
}

/** How the run itself ended, before any convention is consulted. */
export function runFailure(run: RunOutput): GradeResult | null {
  if (run.timedOut) return emptyResult('timeout', 'The grader ran out of time.', run.stderr);
  if (run.memoryExceeded) return emptyResult('overflow', 'The grader ran out of memory.', run.stderr);
  if (run.workDirQuotaExceeded) {
    return emptyResult('overflow', 'Output too large: the files of the run went over the work directory quota, and were removed.', run.stderr);
  }
  if (run.signal) return emptyResult('killed', `The grader was killed by ${run.signal}.`, run.stderr);
  return null;
}
