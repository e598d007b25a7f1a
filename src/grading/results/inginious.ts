import type { GradeResult, Outcome, ProblemResult, RunOutput } from './types.ts';
import { GRADE_OUTCOMES, emptyResult, runFailure } from './types.ts';

/** Where the feedback commands (src/grading/inginious-bin) record what the harness says. */
export const INGINIOUS_FEEDBACK_FILE = '.assay/feedback';

const OUTCOMES = new Set<Outcome>(GRADE_OUTCOMES);

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/**
 * INGInious' convention: the `run` script calls `feedback-result`, `feedback-grade` and
 * `feedback-msg` (globally or per problem with `-i`). Grade defaults to 100 on success, 0
 * otherwise.
 */
export async function parseInginiousResults(run: RunOutput): Promise<GradeResult> {
  const failed = runFailure(run);
  if (failed) return failed;
  const raw = (await run.readFile(INGINIOUS_FEEDBACK_FILE))?.toString('utf8') ?? '';
  let result: string | null = null;
  let grade: number | null = null;
  let feedback = '';
  const problems: Record<string, ProblemResult> = {};
  const complaints: string[] = [];
  for (const line of raw.split('\n')) {
    if (line === '') continue;
    const [kind, id64 = '', flag = '', value64 = ''] = line.split('\t');
    const id = decode(id64);
    const value = decode(value64);
    if (kind === 'result') {
      if (!OUTCOMES.has(value as Outcome)) {
        complaints.push(`unknown result "${value}"`);
        continue;
      }
      if (id) problems[id] = { ...problems[id], result: value as Outcome };
      else result = value;
    } else if (kind === 'grade') {
      const n = Number(value);
      if (!Number.isFinite(n)) complaints.push(`grade "${value}" is not a number`);
      else grade = Math.min(100, Math.max(0, n));
    } else if (kind === 'msg') {
      if (id) problems[id] = { ...problems[id], feedback: (flag === 'a' ? (problems[id]?.feedback ?? '') : '') + value };
      else feedback = (flag === 'a' ? feedback : '') + value;
    }
  }
  if (complaints.length > 0) return { ...emptyResult('error', feedback || 'The grader produced an unreadable result.', complaints.join('; '), true), problems };
  if (result === null) {
    const outcome: Outcome = run.exitCode === 0 ? 'error' : 'crash';
    return { ...emptyResult(outcome, feedback || 'The grader did not set a result.', `exit ${run.exitCode}\n${run.stderr}`, true), problems };
  }
  const outcome = result as Outcome;
  return {
    outcome,
    staffError: false,
    score: grade ?? (outcome === 'success' ? 100 : 0),
    maxScore: 100,
    feedback,
    tests: [],
    problems,
    scoreboard: null,
    log: run.stderr,
  };
}
