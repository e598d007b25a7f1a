import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import type { AutolabRole } from './access.ts';
import { AUTOLAB_ROLES, ENROLLMENT_OF_ROLE, ROLE_OF_ENROLLMENT, assessmentRefusal } from './access.ts';
import type { CourseContext } from './assessments.service.ts';
import type { EnrolmentColumns } from '../enrolment/enrolments.repo.ts';
import { changeEnrolment, enrol } from '../enrolment/enrolment-writes.ts';
import type { AutolabEnrollmentPatch, RosterRecord } from './people.repo.ts';
import { peopleRepo } from './people.repo.ts';

/** Autolab's `course_user_data` object over a core enrollment. */
export interface CourseUserDatum {
  lecture: string;
  section: string;
  grade_policy: string;
  nickname: string | null;
  dropped: boolean;
  first_name: string;
  last_name: string;
  email: string;
  auth_level: AutolabRole;
}

export interface CourseUserDatumInput {
  lecture?: string;
  section?: string;
  grade_policy?: string;
  nickname?: string;
  dropped?: boolean;
  auth_level?: string;
}

const datum = (r: RosterRecord): CourseUserDatum => ({
  lecture: r.lecture,
  section: r.section,
  grade_policy: r.grade_policy,
  nickname: r.nickname,
  dropped: Boolean(r.dropped),
  first_name: r.first_name,
  last_name: r.last_name,
  email: r.email,
  auth_level: ROLE_OF_ENROLLMENT[r.role] ?? 'student',
});

const nonexistentUser = () => assessmentRefusal('invalid', 'nonexistent_user');
const notInCourse = () => assessmentRefusal('not_found', 'user_not_in_course');

function roleOf(level: string): 'student' | 'checker' | 'instructor' {
  if (!(AUTOLAB_ROLES as readonly string[]).includes(level)) throw assessmentRefusal('invalid', 'invalid_auth_level');
  return ENROLLMENT_OF_ROLE[level as AutolabRole];
}

/**
 * Course membership in Autolab's words (instructors only; openCourse checked that). Users must
 * already exist; dropping keeps the enrollment and marks it dropped.
 */
export class RosterService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(ctx: CourseContext): Promise<CourseUserDatum[]> {
    return (await peopleRepo.roster(this.db, ctx.course.id)).map(datum);
  }

  /** The enrollment of the user with this email (the enrolled one, when several share it). */
  private async find(ctx: CourseContext, email: string): Promise<{ userId: number; row: RosterRecord | undefined }> {
    const users = await peopleRepo.usersByEmail(this.db, email);
    if (users.length === 0) throw nonexistentUser();
    for (const u of users) {
      const row = await peopleRepo.enrollment(this.db, ctx.course.id, u.id);
      if (row) return { userId: u.id, row };
    }
    return { userId: users[0]!.id, row: undefined };
  }

  async show(ctx: CourseContext, email: string): Promise<CourseUserDatum> {
    const { row } = await this.find(ctx, email);
    if (!row) throw notInCourse();
    return datum(row);
  }

  async create(ctx: CourseContext, email: string, input: CourseUserDatumInput & { lecture: string; section: string; auth_level: string }): Promise<CourseUserDatum> {
    const { userId, row } = await this.find(ctx, email);
    if (row) throw assessmentRefusal('invalid', 'user_already_in_course');
    const role = roleOf(input.auth_level);
    await this.db.transaction().execute(async (trx) => {
      const { id } = await enrol(trx, { by: ctx.actor.id, at: this.clock.now() }, { courseId: ctx.course.id, userId, role, section: input.section, dropped: input.dropped ?? false });
      await peopleRepo.updateAutolabFields(trx, id, { lecture: input.lecture, grade_policy: input.grade_policy ?? '', nickname: input.nickname ?? null });
    });
    return this.show(ctx, email);
  }

  /** Sets `auth_level` first, then the other fields given. */
  async update(ctx: CourseContext, email: string, input: CourseUserDatumInput): Promise<CourseUserDatum> {
    const { row } = await this.find(ctx, email);
    if (!row) throw notInCourse();
    const core: EnrolmentColumns = {};
    const own: AutolabEnrollmentPatch = {};
    if (input.auth_level !== undefined) core.role = roleOf(input.auth_level);
    if (input.lecture !== undefined) own.lecture = input.lecture;
    if (input.section !== undefined) core.section = input.section;
    if (input.grade_policy !== undefined) own.grade_policy = input.grade_policy;
    if (input.nickname !== undefined) own.nickname = input.nickname;
    if (input.dropped !== undefined) core.dropped = input.dropped;
    await this.db.transaction().execute(async (trx) => {
      await changeEnrolment(trx, { by: ctx.actor.id, at: this.clock.now() }, row.id, core);
      await peopleRepo.updateAutolabFields(trx, row.id, own);
    });
    return this.show(ctx, email);
  }

  /** Autolab never deletes an enrollment: it is marked dropped. */
  async drop(ctx: CourseContext, email: string): Promise<CourseUserDatum> {
    const { row } = await this.find(ctx, email);
    if (!row) throw notInCourse();
    await this.db.transaction().execute((trx) => changeEnrolment(trx, { by: ctx.actor.id, at: this.clock.now() }, row.id, { dropped: true }));
    return this.show(ctx, email);
  }
}
