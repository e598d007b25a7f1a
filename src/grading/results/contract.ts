import type { GradeResult } from './types.ts';

/**
 * The grading contract between a harness and its exercise: the names a result scores (native
 * tests, INGInious `-i` ids, Autolab `scores` keys) are the exercise's problems, and every problem
 * is scored. A name the exercise does not have scores nothing, and a problem left out keeps no
 * score: both are the course author's mistake, told to staff as warnings (never to students).
 * An exercise without problems has no contract to break: its result's total is its score.
 */
export function contractWarnings(named: readonly string[], problems: readonly string[], namer = 'the result'): string[] {
  if (problems.length === 0) return [];
  const known = new Set(problems);
  const seen = new Set(named);
  const list = problems.map((p) => `"${p}"`).join(', ');
  return [
    ...[...seen].filter((name) => !known.has(name)).map((name) => `${namer} names "${name}", which is not a problem of the exercise (its problems: ${list}); it scores nothing`),
    ...problems.filter((p) => !seen.has(p)).map((p) => `problem "${p}" is not scored by ${namer}`),
  ];
}

/**
 * The contract warnings of one graded run: none when the run did not end with a result (out of
 * time or memory, killed, a crash or an unreadable result already say what went wrong).
 */
export function gradeContractWarnings(grade: GradeResult, problems: readonly string[]): string[] {
  if (grade.staffError || (grade.outcome !== 'success' && grade.outcome !== 'failed')) return [];
  const named = Object.entries(grade.problems)
    .filter(([, p]) => p.score !== undefined || p.result !== undefined)
    .map(([name]) => name);
  return contractWarnings(named, problems);
}
