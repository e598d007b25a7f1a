import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit/audit.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import type { Clock, Timestamp } from '../clock.ts';
import { assessmentRefusal } from './access.ts';
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

const userNotFound = (email: string) => assessmentRefusal('invalid', 'score_user_not_found', { email });

function byProblem(grades: GradeRecord[], submissionId: number, show: (g: GradeRecord) => ShownScore): Record<string, ShownScore> {
  return Object.fromEntries(grades.filter((g) => g.submission_id === submissionId).map((g) => [g.name, show(g)]));
}

/**
 * One distinct key per submitter (key → user id): the email when it is set and no other
 * submitter's, else the username, else `username#id`. Emails are claimed first, so a fallback
 * never takes a real email's key.
 */
function submitterKeys(bySubmitter: Map<number, HandinRecord[]>): Map<string, number> {
  const submitters = [...bySubmitter].map(([id, mine]) => ({ id, email: mine[0]!.email ?? '', username: mine[0]!.username ?? '' }));
  const holders = new Map<string, number>();
  for (const s of submitters) if (s.email !== '') holders.set(s.email, (holders.get(s.email) ?? 0) + 1);
  const keys = new Map<string, number>();
  const rest: typeof submitters = [];
  for (const s of submitters) {
    if (s.email !== '' && holders.get(s.email) === 1) keys.set(s.email, s.id);
    else rest.push(s);
  }
  for (const s of rest) {
    const plain = s.username !== '' && !keys.has(s.username) && !holders.has(s.username);
    keys.set(plain ? s.username : `${s.username}#${s.id}`, s.id);
  }
  return keys;
}

/** Handins per submitting user, oldest first (handins of deleted accounts left out). */
function bySubmitterOf(handins: HandinRecord[]): Map<number, HandinRecord[]> {
  const out = new Map<number, HandinRecord[]>();
  for (const h of handins) if (h.user_id !== null) out.set(h.user_id, [...(out.get(h.user_id) ?? []), h]);
  return out;
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
    if (!problems.some((p) => p.name === problem)) throw assessmentRefusal('not_found', 'problem_not_found', { problem, assessment: target.name });
    const handin = /^\d{1,9}$/.test(version) ? (await scoresRepo.handins(this.db, target.id, ctx.actor.id)).find((h) => h.number === Number(version)) : undefined;
    if (!handin) throw assessmentRefusal('not_found', 'submission_not_found', { version, assessment: target.name });
    const text = await scoresRepo.latestFeedback(this.db, handin.id, ctx.role === 'student');
    if (text === null) throw assessmentRefusal('not_found', 'score_not_found', { problem, version, assessment: target.name });
    return text;
  }

  private versions(handins: HandinRecord[], grades: GradeRecord[]): VersionScores {
    const out: VersionScores = {};
    for (const h of handins) out[String(h.number)] = byProblem(grades, h.id, (g) => g.score) as Record<string, number | null>;
    return out;
  }

  /**
   * Every submitter's scores, every version (instructors: raw scores, released or not), keyed as
   * Autolab keys them, by email. Autolab's emails are unique and never empty; Assay's may be
   * either, so one key never holds two users: a submitter without an email, or sharing it with
   * another submitter, is keyed by username (`username#id` should that be taken too).
   */
  async index(target: Assessment): Promise<Record<string, VersionScores>> {
    const handins = await scoresRepo.handins(this.db, target.id);
    const grades = await scoresRepo.latestGrades(this.db, handins.map((h) => h.id));
    const bySubmitter = bySubmitterOf(handins);
    const out: Record<string, VersionScores> = {};
    for (const [key, id] of [...submitterKeys(bySubmitter)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[key] = this.versions(bySubmitter.get(id)!, grades);
    return out;
  }

  /**
   * A course member by email (the enrolled account when several share it), else by username: the
   * index's key for a member without an email of their own.
   */
  private async member(ctx: CourseContext, email: string): Promise<number> {
    for (const u of await peopleRepo.usersByEmail(this.db, email)) {
      if (await peopleRepo.enrollment(this.db, ctx.course.id, u.id)) return u.id;
    }
    const suffixed = /^(.+)#(\d+)$/.exec(email);
    const byName = await peopleRepo.userByUsername(this.db, suffixed ? suffixed[1]! : email);
    if (byName && (!suffixed || byName.id === Number(suffixed[2])) && (await peopleRepo.enrollment(this.db, ctx.course.id, byName.id))) return byName.id;
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
      if (!problem) throw assessmentRefusal('invalid', 'score_problem_unknown', { problem: name });
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      if (!Number.isFinite(n)) throw assessmentRefusal('invalid', 'score_not_a_number', { problem: name });
      values.set(problem.id, n);
    }
    const userIds = withGroup ? (await this.groups.mates(target.id, userId)).map((m) => m.userId) : [userId];
    const bySubmitter = bySubmitterOf(await scoresRepo.handins(this.db, target.id));
    const latest: { userId: number; handin: HandinRecord }[] = [];
    for (const id of userIds) {
      const handins = bySubmitter.get(id) ?? [];
      const last = handins[handins.length - 1];
      if (!last) {
        if (id === userId) throw assessmentRefusal('invalid', 'no_submission', { email });
        continue;
      }
      latest.push({ userId: id, handin: last });
    }
    const now = this.clock.now();
    const names = new Map([...problems.values()].map((p) => [p.id, p.name]));
    await this.db.transaction().execute(async (trx) => {
      const earlier = new Map((await scoresRepo.latestGrades(trx, latest.map((l) => l.handin.id))).map((g) => [`${g.submission_id}/${g.problem_id}`, g.score]));
      const rows = latest.flatMap((l) => [...values].map(([problem_id, score]) => ({ submission_id: l.handin.id, problem_id, score, grader_id: ctx.actor.id, created_at: now })));
      await recordAudit(
        trx,
        rows.map((r) => ({ kind: 'grade', actorId: ctx.actor.id, on: { submission: r.submission_id }, field: names.get(r.problem_id)!, before: earlier.get(`${r.submission_id}/${r.problem_id}`) ?? null, after: r.score, at: now })),
      );
      await scoresRepo.insertGrades(trx, rows);
    });
    const grades = await scoresRepo.latestGrades(this.db, latest.map((l) => l.handin.id));
    // Each user under the key the index gives them.
    const keyOf = new Map([...submitterKeys(bySubmitter)].map(([key, id]) => [id, key]));
    return Object.fromEntries(latest.map((l) => [keyOf.get(l.userId)!, byProblem(grades, l.handin.id, (g) => g.score) as Record<string, number | null>]));
  }
}
