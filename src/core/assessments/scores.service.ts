import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import type { Clock, Timestamp } from '../clock.ts';
import { AssayError } from '../errors.ts';
import { refusals } from './access.ts';
import type { Assessment, AssessmentsService, CourseContext } from './assessments.service.ts';
import type { GroupsService } from './groups.service.ts';
import { peopleRepo } from './people.repo.ts';
import type { GradeRecord, HandinRecord } from './scores.repo.ts';
import { scoresRepo } from './scores.repo.ts';

/** A score as its reader may see it: students see unreleased ones as `"unreleased"`. */
export type ShownScore = number | null | 'unreleased';

export interface OwnSubmission {
  version: number;
  filename: string;
  created_at: Timestamp;
  scores: Record<string, ShownScore>;
}

/** `{ "<version>": { "<problem>": score } }`, versions in order. */
export type VersionScores = Record<string, Record<string, number | null>>;

const userNotFound = (email: string) => refusals.bad(`User with email ${email} not found in course.`);

function byProblem(grades: GradeRecord[], submissionId: number, show: (g: GradeRecord) => ShownScore): Record<string, ShownScore> {
  return Object.fromEntries(grades.filter((g) => g.submission_id === submissionId).map((g) => [g.name, show(g)]));
}

/**
 * Submissions and per-problem scores of Autolab's API over the core's submissions, grades and
 * feedback. A submission's version is its number; its current score per problem is the latest
 * grade row written for it (by the autograder or by `update_latest`).
 */
export class ScoresService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly assessments: AssessmentsService,
    private readonly groups: GroupsService,
    private readonly exercises: ExercisesService,
  ) {}

  /** Staff who manage the course release (or withdraw) every score of an assessment at once. */
  async setReleased(actor: Actor, exerciseId: number, released: boolean): Promise<void> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    await this.db.transaction().execute((trx) => scoresRepo.setReleased(trx, exercise.id, released));
  }

  /** The caller's own submissions, newest first. */
  async listOwn(ctx: CourseContext, target: Assessment): Promise<OwnSubmission[]> {
    const handins = await scoresRepo.handins(this.db, target.id, ctx.actor.id);
    const grades = await scoresRepo.latestGrades(this.db, handins.map((h) => h.id));
    const show = (g: GradeRecord): ShownScore => (g.released || ctx.role !== 'student' ? g.score : 'unreleased');
    return handins
      .map((h) => ({ version: h.number, filename: `${h.number}_${target.handin_filename}`, created_at: h.created_at, scores: byProblem(grades, h.id, show) }))
      .sort((a, b) => b.version - a.version);
  }

  /** The feedback of one of the caller's submissions, for a problem of the assessment. */
  async feedback(ctx: CourseContext, target: Assessment, version: string, problem: string): Promise<string> {
    const problems = await this.assessments.problems(target.id);
    if (!problems.some((p) => p.name === problem)) throw new AssayError('not_found', `Problem named ${problem} does not exist for ${target.name}`, { reason: 'problem_not_found' });
    const handin = /^\d{1,9}$/.test(version) ? (await scoresRepo.handins(this.db, target.id, ctx.actor.id)).find((h) => h.number === Number(version)) : undefined;
    if (!handin) throw new AssayError('not_found', `Submission version ${version} does not exist for ${target.name}`, { reason: 'submission_not_found' });
    const text = await scoresRepo.latestFeedback(this.db, handin.id, ctx.role === 'student');
    if (text === null) throw new AssayError('not_found', `Score for ${problem} of submission version ${version} of ${target.name} does not exist`, { reason: 'score_not_found' });
    return text;
  }

  private versions(handins: HandinRecord[], grades: GradeRecord[]): VersionScores {
    const out: VersionScores = {};
    for (const h of handins) out[String(h.number)] = byProblem(grades, h.id, (g) => g.score) as Record<string, number | null>;
    return out;
  }

  /** Every submitter's scores, every version (instructors: raw scores, released or not). */
  async index(target: Assessment): Promise<Record<string, VersionScores>> {
    const handins = await scoresRepo.handins(this.db, target.id);
    const grades = await scoresRepo.latestGrades(this.db, handins.map((h) => h.id));
    const out: Record<string, VersionScores> = {};
    const bySubmitter = new Map<string, HandinRecord[]>();
    for (const h of handins) {
      if (h.email === null) continue;
      bySubmitter.set(h.email, [...(bySubmitter.get(h.email) ?? []), h]);
    }
    for (const [email, mine] of [...bySubmitter].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[email] = this.versions(mine, grades);
    return out;
  }

  /** A course member by email (the enrolled account when several share it). */
  private async member(ctx: CourseContext, email: string): Promise<number> {
    for (const u of await peopleRepo.usersByEmail(this.db, email)) {
      if (await peopleRepo.enrollment(this.db, ctx.course.id, u.id)) return u.id;
    }
    throw userNotFound(email);
  }

  async ofUser(ctx: CourseContext, target: Assessment, email: string): Promise<VersionScores> {
    const userId = await this.member(ctx, email);
    const handins = await scoresRepo.handins(this.db, target.id, userId);
    return this.versions(handins, await scoresRepo.latestGrades(this.db, handins.map((h) => h.id)));
  }

  /**
   * Writes scores onto the user's latest submission (and each group mate's, when asked), all in
   * one transaction, graded by the caller. Every problem name and every submission is checked
   * before anything is written. Answers the merged scores of each updated latest submission.
   */
  async updateLatest(ctx: CourseContext, target: Assessment, email: string, scores: Record<string, unknown>, withGroup: boolean): Promise<Record<string, Record<string, number | null>>> {
    const userId = await this.member(ctx, email);
    const problems = new Map((await this.assessments.problems(target.id)).map((p) => [p.name, p]));
    const values = new Map<number, number>();
    for (const [name, raw] of Object.entries(scores)) {
      const problem = problems.get(name);
      if (!problem) throw refusals.bad(`Problem '${name}' not found in this assessment`);
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      if (!Number.isFinite(n)) throw refusals.bad(`Unable to update ${name} score`);
      values.set(problem.id, n);
    }
    const userIds = withGroup ? (await this.groups.mates(target.id, userId)).map((m) => m.userId) : [userId];
    const latest: { userId: number; email: string; handin: HandinRecord }[] = [];
    for (const id of userIds) {
      const handins = await scoresRepo.handins(this.db, target.id, id);
      const last = handins[handins.length - 1];
      if (!last) {
        if (id === userId) throw refusals.bad(`User with email ${email} has no submission for this assessment.`);
        continue;
      }
      latest.push({ userId: id, email: last.email ?? email, handin: last });
    }
    const now = this.clock.now();
    await this.db.transaction().execute((trx) =>
      scoresRepo.insertGrades(
        trx,
        latest.flatMap((l) => [...values].map(([problem_id, score]) => ({ submission_id: l.handin.id, problem_id, score, grader_id: ctx.actor.id, created_at: now }))),
      ),
    );
    const grades = await scoresRepo.latestGrades(this.db, latest.map((l) => l.handin.id));
    return Object.fromEntries(latest.map((l) => [l.email, byProblem(grades, l.handin.id, (g) => g.score) as Record<string, number | null>]));
  }
}
