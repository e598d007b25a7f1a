import type { GradeResult, RunOutput, TestResult } from './types.ts';
import { emptyResult, runFailure } from './types.ts';

const RESULT_FILES = ['results.json', 'results/results.json'];
const VISIBILITIES = new Set(['visible', 'hidden', 'after_due_date', 'after_published']);

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Assay's native convention, compatible with Gradescope's `results.json`: `score`, `output`,
 * `tests[]` with `name`, `score`, `max_score`, `status`, `output`, `visibility`. A missing or
 * malformed file is a harness error, never a silent zero.
 */
export async function parseNativeResults(run: RunOutput): Promise<GradeResult> {
  const failed = runFailure(run);
  if (failed) return failed;
  let raw: Buffer | null = null;
  for (const file of RESULT_FILES) {
    raw = await run.readFile(file);
    if (raw) break;
  }
  if (!raw) return emptyResult('crash', 'The grader did not produce a result.', `no results.json; exit ${run.exitCode}\n${run.stderr}`, true);
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return emptyResult('error', 'The grader produced an unreadable result.', `results.json is not JSON: ${(err as Error).message}`, true);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return emptyResult('error', 'The grader produced an unreadable result.', 'results.json is not an object', true);
  }
  const d = doc as Record<string, unknown>;
  const problems: string[] = [];
  const tests: TestResult[] = [];
  if (d.tests !== undefined && !Array.isArray(d.tests)) problems.push('tests is not a list');
  for (const [i, t] of (Array.isArray(d.tests) ? d.tests : []).entries()) {
    if (typeof t !== 'object' || t === null) {
      problems.push(`tests[${i}] is not an object`);
      continue;
    }
    const test = t as Record<string, unknown>;
    const status = test.status === 'passed' || test.status === 'failed' ? test.status : null;
    const visibility = typeof test.visibility === 'string' && VISIBILITIES.has(test.visibility) ? test.visibility : 'visible';
    tests.push({ name: str(test.name) || `Test ${i + 1}`, score: num(test.score), maxScore: num(test.max_score), status, output: str(test.output), visibility });
  }
  if (d.score !== undefined && num(d.score) === null) problems.push('score is not a number');
  if (problems.length > 0) return emptyResult('error', 'The grader produced an unreadable result.', problems.join('; '), true);
  const summed = tests.some((t) => t.score !== null) ? tests.reduce((a, t) => a + (t.score ?? 0), 0) : null;
  const score = num(d.score) ?? summed;
  const maxFromTests = tests.some((t) => t.maxScore !== null) ? tests.reduce((a, t) => a + (t.maxScore ?? 0), 0) : null;
  const maxScore = num(d.max_score) ?? maxFromTests;
  const allPassed = tests.length > 0 ? tests.every((t) => t.status !== 'failed' && (t.maxScore === null || t.score === t.maxScore)) : null;
  const passed = allPassed ?? (score !== null && maxScore !== null ? score >= maxScore : run.exitCode === 0);
  return {
    outcome: passed ? 'success' : 'failed',
    staffError: false,
    score,
    maxScore,
    feedback: str(d.output),
    tests,
    // Tests named like the exercise's problems give those problems their scores.
    problems: Object.fromEntries(tests.filter((t) => t.score !== null).map((t) => [t.name, { score: t.score as number }])),
    scoreboard: null,
    log: run.stderr,
  };
}
