import type { TrialRun } from '../../grading/engine/trial.ts';
import { trialRun } from '../../grading/engine/trial.ts';
import { readFiles } from '../../grading/engine/tree-cache.ts';
import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import { isRowId } from '../courses/exercises.service.ts';
import type { ProblemsService } from '../courses/problems.service.ts';
import { AssayError } from '../errors.ts';
import type { FilesService } from '../files/files.service.ts';
import type { GradersService } from './graders.service.ts';
import { submissionsRepo } from './submissions.repo.ts';

/** Trial runs one server process runs at once; more are refused (429) until one ends. */
export const TRIAL_CONCURRENCY = 2;

/** A trial run of an exercise's grader: what it ran on, and what came out. */
export interface GraderTrial extends TrialRun {
  /** `solution`: the exercise's reference solution; `submission`: the submission `submission`. */
  on: 'solution' | 'submission';
  submission: number | null;
}

/**
 * The grader workbench: staff run an exercise's grader, as it is stored now, on the reference
 * solution or on any submission of the exercise, and see what students would see and more (the
 * log, the contract's warnings, the time it took). Nothing is recorded: no job, no grade, no
 * feedback. The course's instructors, staff and admins only (as the grader's settings).
 */
export class GraderTrialsService {
  private running = 0;

  constructor(
    private readonly db: Db,
    private readonly files: FilesService,
    private readonly exercises: ExercisesService,
    private readonly graders: GradersService,
    private readonly problems: ProblemsService,
  ) {}

  /** Runs the grader on the submission named, or on the reference solution when `submissionId` is null. */
  async run(actor: Actor, exerciseId: number, submissionId: number | null): Promise<GraderTrial> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    const config = await this.graders.configFor(exercise.id);
    if (!config) throw AssayError.field(null, 'no_grader', 'This exercise has no grader yet: set one up first.');
    let entries;
    let answers: unknown = {};
    if (submissionId === null) {
      if (config.solutionTreeId === null) throw AssayError.field('submission', 'no_solution', 'This exercise has no reference solution: choose a submission.');
      entries = await this.files.treeEntries(config.solutionTreeId);
    } else {
      const [submission] = isRowId(submissionId) ? await submissionsRepo.byIds(this.db, [submissionId]) : [];
      if (!submission || submission.exercise_id !== exercise.id) throw AssayError.field('submission', 'does_not_exist', `This exercise has no submission ${submissionId}.`);
      entries = submission.tree_id === null ? [] : await this.files.treeEntries(submission.tree_id);
      answers = submission.answers ? JSON.parse(submission.answers) : {};
    }
    if (this.running >= TRIAL_CONCURRENCY) {
      throw new AssayError('rate_limited', `${TRIAL_CONCURRENCY} trial runs are running already: try again in a moment.`, { retryAfterSeconds: 5 });
    }
    this.running += 1;
    try {
      const [harness, files, problems] = await Promise.all([
        config.harnessTreeId === null ? [] : this.files.treeEntries(config.harnessTreeId).then((e) => readFiles(this.files, e)),
        readFiles(this.files, entries),
        this.problems.listTrusted(exercise.id),
      ]);
      const run = await trialRun(config, harness, files, answers, problems.map((p) => p.name));
      return { ...run, on: submissionId === null ? 'solution' : 'submission', submission: submissionId };
    } finally {
      this.running -= 1;
    }
  }
}
