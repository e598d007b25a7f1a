import type { SyncProblem } from '../core/courses/course-directory.ts';
import { isAssayError } from '../core/errors.ts';

/**
 * A course folder refused with its problems (`details.syncProblems`): every problem on stderr,
 * exit code 1. Any other error is thrown on.
 */
export function reportSyncProblems(err: unknown, what: string): number {
  const problems = isAssayError(err) ? (err.details.syncProblems as SyncProblem[] | undefined) : undefined;
  if (!problems) throw err;
  process.stderr.write(`assay: ${what} (nothing changed): ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  for (const p of problems) process.stderr.write(`  ${p.file}${p.key ? `: ${p.key}` : ''}: ${p.message}\n`);
  return 1;
}
