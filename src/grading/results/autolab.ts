import type { GradeResult, RunOutput } from './types.ts';
import { emptyResult, runFailure } from './types.ts';

/**
 * Autolab's convention: the autograder's last non-empty stdout line is
 * `{"scores": {"<problem>": n, …}, "scoreboard": [...]}`; the whole output is the feedback.
 */
export async function parseAutolabResults(run: RunOutput): Promise<GradeResult> {
  const failed = runFailure(run);
  if (failed) return { ...failed, feedback: run.stdout || failed.feedback };
  const lines = run.stdout.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const last = lines[lines.length - 1];
  const garbage = (why: string) => ({ ...emptyResult('error', run.stdout, why, true) });
  if (!last) return garbage('the autograder printed nothing');
  let doc: unknown;
  try {
    doc = JSON.parse(last);
  } catch {
    return garbage('the last line of output is not JSON');
  }
  const scores = (doc as { scores?: unknown } | null)?.scores;
  if (typeof scores !== 'object' || scores === null || Array.isArray(scores)) return garbage('the last line has no "scores" object');
  const problems: GradeResult['problems'] = {};
  for (const [name, value] of Object.entries(scores)) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(n)) return garbage(`score of "${name}" is not a number`);
    problems[name] = { score: n };
  }
  const scoreboard = (doc as { scoreboard?: unknown }).scoreboard;
  const total = Object.values(problems).reduce((a, p) => a + (p.score ?? 0), 0);
  return {
    outcome: run.exitCode === 0 ? 'success' : 'failed',
    staffError: false,
    score: total,
    maxScore: null,
    feedback: run.stdout,
    tests: [],
    problems,
    scoreboard: Array.isArray(scoreboard) ? scoreboard : null,
    log: run.stderr,
  };
}
