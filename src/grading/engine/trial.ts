import type { GraderConfig } from '../../core/grading/graders.service.ts';
import { gradeContractWarnings } from '../results/contract.ts';
import type { GradeResult } from '../results/types.ts';
import type { TreeFile } from './layout.ts';
import { gradeOnce } from './runner.ts';

/** What a trial run of a grader produced: the grade, the grading contract's warnings, how long it took. */
export interface TrialRun {
  grade: GradeResult;
  warnings: string[];
  /** Wall time of the run (laying out, the sandbox, parsing), in milliseconds. */
  ms: number;
}

/**
 * A grader run once on some files, as staff try it before students hand anything in (`assay
 * grader test`, the web app's grader workbench): the same run as a job's (gradeOnce), timed, with
 * the contract's warnings; nothing is recorded anywhere.
 */
export async function trialRun(
  config: Pick<GraderConfig, 'convention' | 'command' | 'sandboxLimits'>,
  harness: TreeFile[],
  files: TreeFile[],
  answers: unknown,
  problemNames: readonly string[],
): Promise<TrialRun> {
  const started = performance.now();
  const grade = await gradeOnce(config, harness, files, answers, problemNames);
  const ms = Math.round(performance.now() - started);
  return { grade, warnings: gradeContractWarnings(grade, problemNames), ms };
}
