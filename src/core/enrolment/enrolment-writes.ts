import type { Db } from '../../db/database.ts';
import type { CourseRole } from '../actor.ts';
import { Clearance } from '../actor.ts';
import type { AuditChange } from '../audit/audit.ts';
import { recordAudit } from '../audit/audit.ts';
import type { EnrolmentColumns } from './enrolments.repo.ts';
import { enrolmentsRepo as repo } from './enrolments.repo.ts';

/**
 * The one enrolment operation every way in writes through: Assay's API and CLI, a course
 * directory's roster, Hive's `program`, ngshare's students and instructors, Autolab's
 * course_user_data and Devilry's related students and examiners. Each function runs inside the
 * transaction its caller (a service) opened, and keeps Hive's `program` in step: a student's
 * program is the first course they join as a student, and it is cleared when they stop being
 * a student of it (Hive knows one program per student, and only students have one). Each change of
 * a role or of the dropped flag goes to the audit trail, naming who made it.
 */

/** Who makes a change (an account, or null for the system: the command line, a sync) and when. */
export interface ChangedBy {
  by: number | null;
  at: string;
}

export const COURSE_ROLES: readonly CourseRole[] = ['student', 'checker', 'instructor'];

export const isCourseRole = (v: unknown): v is CourseRole => typeof v === 'string' && (COURSE_ROLES as readonly string[]).includes(v);

export interface EnrolmentInput {
  courseId: number;
  userId: number;
  role: CourseRole;
  /** Left as it is when undefined ('' for a new enrolment). */
  section?: string;
  /** false unless given: enrolling again brings a dropped member back. */
  dropped?: boolean;
}

export type EnrolOutcome = 'added' | 'changed' | 'unchanged';

/** Makes `role` the user's enrolment in the course: a new one, or the existing one changed. */
export async function enrol(tx: Db, who: ChangedBy, input: EnrolmentInput): Promise<{ id: number; outcome: EnrolOutcome }> {
  const now = who.at;
  const current = await repo.find(tx, input.courseId, input.userId);
  let id: number;
  let outcome: EnrolOutcome;
  if (!current) {
    id = await repo.insert(tx, {
      course_id: input.courseId,
      user_id: input.userId,
      role: input.role,
      section: input.section ?? '',
      dropped: input.dropped ?? false,
      created_at: now,
    });
    outcome = 'added';
  } else {
    id = current.id;
    const patch: EnrolmentColumns = {};
    if (current.role !== input.role) patch.role = input.role;
    if (Boolean(current.dropped) !== (input.dropped ?? false)) patch.dropped = input.dropped ?? false;
    if (input.section !== undefined && current.section !== input.section) patch.section = input.section;
    await repo.update(tx, id, patch);
    outcome = Object.keys(patch).length > 0 ? 'changed' : 'unchanged';
  }
  const before = current ? { role: current.role as CourseRole, dropped: Boolean(current.dropped) } : null;
  await auditRoles(tx, who, input.courseId, input.userId, before, { role: input.role, dropped: input.dropped ?? false });
  await keepProgram(tx, input.courseId, input.userId);
  return { id, outcome };
}

/** Changes an enrolment's role, section, dropped flag, or even its course or user (Devilry moves them). */
export async function changeEnrolment(tx: Db, who: ChangedBy, id: number, patch: EnrolmentColumns): Promise<void> {
  const before = await repo.byId(tx, id);
  if (!before) return;
  await repo.update(tx, id, patch);
  const was = { role: before.role as CourseRole, dropped: Boolean(before.dropped) };
  const now = { role: (patch.role ?? before.role) as CourseRole, dropped: patch.dropped ?? Boolean(before.dropped) };
  const course = patch.course_id ?? before.course_id;
  const user = patch.user_id ?? before.user_id;
  if (course === before.course_id && user === before.user_id) await auditRoles(tx, who, course, user, was, now);
  else {
    await auditRoles(tx, who, before.course_id, before.user_id, was, null);
    await auditRoles(tx, who, course, user, null, now);
  }
  await keepProgram(tx, before.course_id, before.user_id);
  if (patch.course_id !== undefined || patch.user_id !== undefined) await keepProgram(tx, patch.course_id ?? before.course_id, patch.user_id ?? before.user_id);
}

/** Ends an enrolment; what hangs off it (Autolab's and Devilry's fields) goes with it. */
export async function removeEnrolment(tx: Db, who: ChangedBy, id: number): Promise<void> {
  const before = await repo.byId(tx, id);
  if (!before) return;
  await repo.delete(tx, id);
  await auditRoles(tx, who, before.course_id, before.user_id, { role: before.role as CourseRole, dropped: Boolean(before.dropped) }, null);
  await keepProgram(tx, before.course_id, before.user_id);
}

/** Hive's single `program` after a change of the user's enrolment in this course. */
async function keepProgram(tx: Db, courseId: number, userId: number): Promise<void> {
  const user = await repo.userProgram(tx, userId);
  if (!user || user.clearance !== Clearance.student) return;
  const student = await repo.isCurrentStudent(tx, courseId, userId);
  if (student && user.program_id === null) await repo.setProgram(tx, userId, courseId);
  else if (!student && user.program_id === courseId) await repo.setProgram(tx, userId, null);
}

type Membership = { role: CourseRole; dropped: boolean } | null;

/** The audit entries of a membership's change: its role (null: not a member) and its dropped flag. */
async function auditRoles(tx: Db, who: ChangedBy, courseId: number, userId: number, before: Membership, after: Membership): Promise<void> {
  const on = { course: courseId, user: userId };
  const changes: AuditChange[] = [{ kind: 'role', actorId: who.by, on, field: 'role', before: before?.role ?? null, after: after?.role ?? null, at: who.at }];
  if (before && after) changes.push({ kind: 'role', actorId: who.by, on, field: 'dropped', before: before.dropped, after: after.dropped, at: who.at });
  await recordAudit(tx, changes);
}
