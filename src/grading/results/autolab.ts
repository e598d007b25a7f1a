import type { GradeResult, RunOutput } from './types.ts';
import { emptyResult, runFailure } from './types.ts';

/**
 * How the Autolab convention launches the grader's command: its stderr joined to its stdout
 * (`2>&1`), so the feedback holds both in the order they were written, as Tango records them.
 */
export function autolabCommand(command: string[]): string[] {
  return ['/bin/sh', '-c', 'exec "$@" 2>&1', 'autograde', ...command];
}

/** The line the feedback ends with when the job did not finish on its own. */
function killedLine(run: RunOutput): string | null {
  if (run.timedOut) return 'Autograder killed: the job ran out of time.';
  if (run.memoryExceeded) return 'Autograder killed: the job ran out of memory.';
  if (run.signal) return `Autograder killed: the job was stopped by ${run.signal}.`;
  return null;
}

const appendLine = (text: string, line: string) => `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${line}`;

/** Bare keys (`{scores: {Style: 3}}`) quoted as Autolab quotes them before parsing. */
const BARE_KEY = /([{,]\s*)([A-Za-z_$][\w$]*)(\s*):/g;

/**
 * Autolab's convention: the autograder's last non-empty output line is
 * `{"scores": {"<problem>": n, …}, "scoreboard": [...]}` (bare keys allowed); the whole output
 * (stdout and stderr as one channel, see autolabCommand) is the feedback. A job killed for time or
 * memory keeps its output and says so on a last line of its own.
 */
export async function parseAutolabResults(run: RunOutput): Promise<GradeResult> {
  const failed = runFailure(run);
  if (failed) return { ...failed, feedback: appendLine(run.stdout, killedLine(run) ?? failed.feedback) };
  const lines = run.stdout.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const last = lines[lines.length - 1];
  const garbage = (why: string) => ({ ...emptyResult('error', run.stdout, why, true) });
  if (!last) return garbage('the autograder printed nothing');
  let doc: unknown;
  try {
    doc = JSON.parse(last.replace(BARE_KEY, '$1"$2"$3:'));
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

/**
 * What Autolab does with a result once it knows the assessment's problems: a name it does not
 * know makes the result a parse failure, and on a parse failure every problem the result did not
 * score gets 0 and the error is appended to the feedback (the student sees zeros and why). A job
 * killed for time or memory has no score line either: every problem gets 0, and its feedback
 * already ends with why.
 */
export function settleAutolabGrade(grade: GradeResult, problemNames: readonly string[]): GradeResult {
  if (grade.outcome === 'timeout' || grade.outcome === 'overflow' || grade.outcome === 'killed') {
    return { ...grade, score: 0, problems: Object.fromEntries(problemNames.map((name) => [name, { score: 0 }])) };
  }
  const unknown = Object.keys(grade.problems).filter((name) => !problemNames.includes(name));
  const failure = unknown.length > 0 ? `Unknown problem name${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}` : grade.outcome === 'error' ? grade.log : null;
  if (failure === null) return grade;
  const problems: GradeResult['problems'] = {};
  for (const name of problemNames) problems[name] = { score: unknown.length === 0 && grade.problems[name]?.score !== undefined ? grade.problems[name]!.score! : 0 };
  const feedback = appendLine(grade.feedback, `Autograder error: ${failure}`);
  return { ...grade, outcome: 'error', staffError: true, score: Object.values(problems).reduce((a, p) => a + (p.score ?? 0), 0), problems, feedback };
}
