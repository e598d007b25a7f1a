import { AssayError } from '../../core/errors.ts';
import type { GraderConfig } from '../../core/grading/graders.service.ts';
import type { Services } from '../../core/services.ts';
import type { JobOutcome, JobResult, JobRunner, RunContext } from '../queue/index.ts';
import { autolabCommand, parseAutolabResults, settleAutolabGrade } from '../results/autolab.ts';
import { gradeContractWarnings } from '../results/contract.ts';
import { parseInginiousResults } from '../results/inginious.ts';
import { parseNativeResults } from '../results/native.ts';
import type { GradeResult, RunOutput } from '../results/types.ts';
import { emptyResult } from '../results/types.ts';
import { runInSandbox } from '../sandbox/index.ts';
import type { SandboxResult, SandboxRunOptions } from '../sandbox/index.ts';
import type { TreeFile } from './layout.ts';
import { SANDBOX_PATH, layoutFiles } from './layout.ts';
import { TreeCache, readFiles } from './tree-cache.ts';

/** Harness and solution trees kept in memory between jobs (see TreeCache). */
const TREE_CACHE_BYTES = 64 * 1024 * 1024;

const PARSERS = {
  native: parseNativeResults,
  hive: parseNativeResults,
  autolab: parseAutolabResults,
  inginious: parseInginiousResults,
} as const;

/** What one job's run produced: the timeline's last step, a one-line summary, the grade. */
export interface GradingOutcome extends JobResult {
  outcome: JobOutcome;
  summary: string | null;
  grade: GradeResult | null;
}

function summarize(grade: GradeResult): string {
  const score = grade.score !== null ? ` (score ${grade.score}${grade.maxScore !== null ? `/${grade.maxScore}` : ''})` : '';
  const tests = grade.tests.length > 0 ? `, ${grade.tests.filter((t) => t.status === 'passed').length}/${grade.tests.length} tests passed` : '';
  return `${grade.outcome}${tests}${score}`;
}

/**
 * One run of a grader: lays out the harness and the submission, runs the harness in a sandbox (from
 * which it starts the student's code apart, with run_student) and parses what it left behind.
 */
export async function gradeOnce(
  config: Pick<GraderConfig, 'convention' | 'command' | 'sandboxLimits'>,
  harness: TreeFile[],
  submission: TreeFile[],
  answers: unknown,
  problemNames: readonly string[],
  run: (options: SandboxRunOptions) => Promise<SandboxResult> = runInSandbox,
): Promise<GradeResult> {
  const result = await run({
    files: layoutFiles(config.convention, harness, submission, answers),
    command: config.convention === 'autolab' ? autolabCommand(config.command) : config.command,
    limits: config.sandboxLimits,
    env: { PATH: SANDBOX_PATH },
    // The harness may create the user namespace run_student needs; the student's code may not.
    nested: true,
  });
  try {
    const output: RunOutput = {
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      memoryExceeded: result.memoryExceeded,
      workDirQuotaExceeded: result.workDirQuotaExceeded,
      outputTruncated: result.outputTruncated,
      stdout: result.stdout,
      stderr: result.stderr,
      readFile: (p) => result.readFile(p),
    };
    const grade = await PARSERS[config.convention](output);
    return config.convention === 'autolab' ? settleAutolabGrade(grade, problemNames) : grade;
  } finally {
    await result.cleanup();
  }
}

/**
 * The grading engine's runner: fetches the exercise's grader, lays out the harness and the
 * submission, runs the harness in one sandbox, and parses what it left behind with the
 * grader's convention. A grader that fails the reference solution (`check_solution`) is a staff
 * error, never the student's failure.
 */
export function createSandboxRunner(services: Services, options: { treeCacheBytes?: number } = {}): JobRunner {
  const staffTrees = new TreeCache(services.files, options.treeCacheBytes ?? TREE_CACHE_BYTES);

  const runOnce = async (config: GraderConfig, harness: TreeFile[], submission: TreeFile[], answers: unknown, signal: AbortSignal, problemNames: readonly string[]): Promise<GradeResult> => {
    if (signal.aborted) throw new AssayError('unavailable', 'the worker is stopping');
    return gradeOnce(config, harness, submission, answers, problemNames);
  };

  return async (job, context: RunContext): Promise<GradingOutcome> => {
    // Both reads at once: they are the job's first round trips, before anything can run.
    const [config, submission] = await Promise.all([
      services.graders.configFor(job.exercise_id),
      job.submission_id ? services.submissions.forGrading(job.submission_id) : null,
    ]);
    if (!config) return { outcome: 'no_check', summary: 'This exercise has no automatic check.', grade: null };
    if (!submission) return { outcome: 'error', summary: 'The submission no longer exists.', grade: null };
    const [harness, files, solution] = await Promise.all([
      staffTrees.get(config.harnessTreeId),
      readFiles(services.files, submission.files),
      config.check_solution ? staffTrees.get(config.solutionTreeId) : Promise.resolve([]),
    ]);
    const answers = submission.answers ? JSON.parse(submission.answers) : {};
    // Autolab settles a result against the assessment's problems (see settleAutolabGrade); every
    // convention's result is checked against them (the grading contract, contract.ts).
    const problemNames = (await services.problems.listTrusted(job.exercise_id)).map((p) => p.name);
    const prepared = { action: 'prepared', payload: `${config.convention} grader, ${harness.length} harness files, ${files.length} submitted files` } as const;
    const running = { action: 'running' } as const;
    // Without a reference run nothing happens between the two steps: they are told in one write.
    await context.report(prepared, ...(config.check_solution ? [] : [running]));
    if (config.check_solution) {
      const reference = await runOnce(config, harness, solution, answers, context.signal, problemNames);
      if (reference.outcome !== 'success') {
        const why = `The grader fails the reference solution (${reference.outcome}): this is a staff error, not the student's.`;
        return { outcome: 'error', summary: why, grade: { ...emptyResult('error', why, `${reference.feedback}\n${reference.log}`, true) } };
      }
      await context.report(running);
    }
    const run = await runOnce(config, harness, files, answers, context.signal, problemNames);
    const warnings = gradeContractWarnings(run, problemNames);
    const grade = { ...run, warnings };
    if (warnings.length > 0) await context.report(...warnings.map((payload) => ({ action: 'warning' as const, payload })));
    return { outcome: grade.staffError ? 'error' : 'success', summary: summarize(grade), grade };
  };
}
