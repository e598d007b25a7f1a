/**
 * How long a grading job may run, given its grader's wall limit: twice that when the reference
 * solution is checked first (the harness then runs twice). pg-boss takes a job's worker for gone
 * only after this (plus a margin).
 */
export function jobWallSeconds(wallSeconds: number, checkSolution: boolean): number {
  return wallSeconds * (checkSolution ? 2 : 1);
}
