import type { Db } from '../../db/database.ts';
import type { Actor, ClearanceLevel } from '../actor.ts';
import { Clearance } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { fromDatabaseError } from '../errors.ts';
import { exchangeRefusal } from './refusals.ts';
import { enrol, removeEnrolment } from '../enrolment/enrolment-writes.ts';
import { enrolmentsRepo } from '../enrolment/enrolments.repo.ts';
import { coursesRepo } from '../courses/courses.repo.ts';
import { exchangeCoursesRepo } from './exchange-courses.repo.ts';
import { exchangeMembersRepo } from './exchange-members.repo.ts';
import { ensureUser, storableName, userByName } from './exchange-users.ts';

/**
 * The nbgrader exchange's view of courses (ngshare): a course is an Assay course whose slug is
 * the exchange's course id; its members are the course's instructor and student enrolments (a
 * user is one or the other, never both). Names and emails belong to the membership: a course's
 * staff set them for their course, never on the user's own profile (upstream keeps them per
 * membership too).
 *
 * Errors carry `details.reason`; the dialect turns reasons into its exact wire strings.
 * Anti-enumeration: a caller who is neither an exchange admin nor a member of an existing
 * course is told the course does not exist.
 */

export type ExchangeRole = 'admin' | 'instructor' | 'student';
export type MemberRole = 'instructor' | 'student';

export interface CourseAccess {
  courseId: number;
  slug: string;
  /** How the caller acts in this course: admins act as admins whatever their enrolment. */
  role: ExchangeRole;
}

/** A member and the names set for them in this course (null: never set). */
export interface Member {
  username: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

export interface MemberNames {
  first_name: string;
  last_name: string;
  email: string;
}

export interface StudentRowResult {
  username: string;
  added: boolean;
}

const fail = exchangeRefusal;

export const courseNotFound = () => fail('not_found', 'course_not_found');
const notAdmin = () => fail('forbidden', 'not_admin');
const notInstructor = () => fail('forbidden', 'not_course_instructor');

/** Python's `sorted()` on strings: by code point, not by UTF-16 unit or collation. */
export function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export class ExchangeCoursesService {
  private readonly admins: ReadonlySet<string>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    admins: readonly string[],
  ) {
    this.admins = new Set(admins);
  }

  /**
   * The caller an outside identity provider (JupyterHub) vouches for, created on first sight as
   * a student account without a password; null for a deactivated account.
   */
  async actorNamed(username: string): Promise<Actor | null> {
    const user = await ensureUser(this.db, this.clock, username);
    return user.is_active ? { id: user.id, username: user.username, clearance: user.clearance as ClearanceLevel } : null;
  }

  /** Exchange admins: those named in the configuration, and Assay admins. */
  isAdmin(actor: Actor): boolean {
    return actor.clearance >= Clearance.admin || this.admins.has(actor.username);
  }

  assertAdmin(actor: Actor): void {
    if (!this.isAdmin(actor)) throw notAdmin();
  }

  private async courseBySlug(db: Db, slug: string): Promise<{ id: number; slug: string } | undefined> {
    if (!storableName(slug)) return undefined;
    return exchangeCoursesRepo.bySlug(db, slug);
  }

  /** The user's current enrolment role, whatever it is (Hive also knows checkers). */
  private enrolment(db: Db, courseId: number, userId: number): Promise<string | null> {
    return exchangeMembersRepo.role(db, courseId, userId);
  }

  /** The user's part in the course as the exchange sees it: instructor, student or nothing. */
  private async membership(db: Db, courseId: number, userId: number): Promise<MemberRole | null> {
    const role = await this.enrolment(db, courseId, userId);
    return role === 'instructor' || role === 'student' ? role : null;
  }

  /** The course and the caller's part in it; 404 (course not found) for outsiders. */
  async access(actor: Actor, slug: string, db: Db = this.db): Promise<CourseAccess> {
    const course = await this.courseBySlug(db, slug);
    if (!course) throw courseNotFound();
    if (this.isAdmin(actor)) return { courseId: course.id, slug: course.slug, role: 'admin' };
    const role = await this.membership(db, course.id, actor.id);
    if (role === null) throw courseNotFound();
    return { courseId: course.id, slug: course.slug, role };
  }

  /** Instructors and admins pass; students get 403. */
  assertInstructor(access: CourseAccess): void {
    if (access.role === 'student') throw notInstructor();
  }

  /** Instructors and admins pass, and so does the user `username` themself. */
  assertInstructorOrSelf(access: CourseAccess, actor: Actor, username: string): void {
    if (actor.username !== username) this.assertInstructor(access);
  }

  /** Ids of the courses the caller teaches or takes (every course for admins), sorted. */
  async listCourses(actor: Actor): Promise<string[]> {
    const slugs = this.isAdmin(actor) ? await exchangeCoursesRepo.allSlugs(this.db) : await exchangeCoursesRepo.slugsOf(this.db, actor.id);
    return slugs.sort(byCodePoint);
  }

  /** Admins only, and the course must not exist yet: the checks before POST /course reads its arguments. */
  async assertMayCreate(actor: Actor, slug: string): Promise<void> {
    this.assertAdmin(actor);
    if (await this.courseBySlug(this.db, slug)) throw fail('conflict', 'course_exists');
  }

  /** Creates a course with its first instructors (users are created as needed). */
  async createCourse(actor: Actor, slug: string, instructors: readonly string[]): Promise<void> {
    this.assertAdmin(actor);
    if (!storableName(slug)) throw fail('invalid', 'incorrect_request_format');
    try {
      await this.db.transaction().execute(async (tx) => {
        if (await this.courseBySlug(tx, slug)) throw fail('conflict', 'course_exists');
        const course = { id: await coursesRepo.create(tx, { slug, name: slug, created_at: this.clock.now() }) };
        for (const username of new Set(instructors)) {
          const user = await ensureUser(tx, this.clock, username);
          await this.enrol(tx, actor, course.id, user.id, 'instructor');
        }
      });
    } catch (err) {
      // Another request created the same course between the check and the insert.
      if (fromDatabaseError(err)?.kind === 'conflict') throw fail('conflict', 'course_exists');
      throw err;
    }
  }

  /** Deletes a course with everything in it (exercises, submissions, enrolments); users stay. */
  async deleteCourse(actor: Actor, slug: string): Promise<void> {
    this.assertAdmin(actor);
    await this.db.transaction().execute(async (tx) => {
      const course = await this.courseBySlug(tx, slug);
      if (!course) throw courseNotFound();
      await exchangeCoursesRepo.delete(tx, course.id);
    });
  }

  private async member(courseId: number, role: MemberRole, username: string): Promise<Member> {
    const row = storableName(username) ? (await exchangeMembersRepo.list(this.db, courseId, role, username))[0] : undefined;
    if (!row) throw role === 'instructor' ? fail('not_found', 'instructor_not_found') : fail('not_found', 'student_not_found');
    return row;
  }

  async listInstructors(actor: Actor, slug: string): Promise<Member[]> {
    const access = await this.access(actor, slug);
    return exchangeMembersRepo.list(this.db, access.courseId, 'instructor');
  }

  async getInstructor(actor: Actor, slug: string, username: string): Promise<Member> {
    const access = await this.access(actor, slug);
    return this.member(access.courseId, 'instructor', username);
  }

  async listStudents(actor: Actor, slug: string): Promise<Member[]> {
    const access = await this.access(actor, slug);
    this.assertInstructor(access);
    return exchangeMembersRepo.list(this.db, access.courseId, 'student');
  }

  async getStudent(actor: Actor, slug: string, username: string): Promise<Member> {
    const access = await this.access(actor, slug);
    this.assertInstructorOrSelf(access, actor, username);
    return this.member(access.courseId, 'student', username);
  }

  /**
   * Adds an instructor or updates one's names. Admins may add anyone (a student of the course
   * stops being one); an instructor may only update their own names.
   */
  async putInstructor(actor: Actor, slug: string, username: string, names: MemberNames): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const access = await this.access(actor, slug, tx);
      this.assertInstructor(access);
      if (access.role !== 'admin') {
        const target = await userByName(tx, username);
        const role = target ? await this.membership(tx, access.courseId, target.id) : null;
        if (role !== 'instructor') throw fail('forbidden', 'cannot_modify_instructors');
        if (username !== actor.username) throw fail('forbidden', 'cannot_modify_other_instructors');
      }
      const user = await ensureUser(tx, this.clock, username);
      await this.enrol(tx, actor, access.courseId, user.id, 'instructor');
      await this.setNames(tx, access.courseId, user.id, names);
    });
  }

  async removeInstructor(actor: Actor, slug: string, username: string): Promise<void> {
    this.assertAdmin(actor);
    await this.db.transaction().execute(async (tx) => {
      const access = await this.access(actor, slug, tx);
      const user = await userByName(tx, username);
      if (!user || (await this.membership(tx, access.courseId, user.id)) !== 'instructor') {
        throw fail('not_found', 'instructor_not_found');
      }
      await this.unenrol(tx, actor, access.courseId, user.id);
    });
  }

  /** Adds a student or updates one's names; an instructor of the course cannot be added. */
  async putStudent(actor: Actor, slug: string, username: string, names: MemberNames): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const access = await this.access(actor, slug, tx);
      this.assertInstructor(access);
      if (!(await this.addStudent(tx, actor, access.courseId, username, names))) {
        throw fail('conflict', 'instructor_as_student');
      }
    });
  }

  /** Adds or updates many students in one transaction; instructors among them are reported, not added. */
  async putStudents(actor: Actor, slug: string, rows: readonly (MemberNames & { username: string })[]): Promise<StudentRowResult[]> {
    return this.db.transaction().execute(async (tx) => {
      const access = await this.access(actor, slug, tx);
      this.assertInstructor(access);
      const out: StudentRowResult[] = [];
      for (const row of rows) out.push({ username: row.username, added: await this.addStudent(tx, actor, access.courseId, row.username, row) });
      return out;
    });
  }

  async removeStudent(actor: Actor, slug: string, username: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const access = await this.access(actor, slug, tx);
      this.assertInstructor(access);
      const user = await userByName(tx, username);
      if (!user || (await this.membership(tx, access.courseId, user.id)) !== 'student') {
        throw fail('not_found', 'student_not_found');
      }
      await this.unenrol(tx, actor, access.courseId, user.id);
    });
  }

  /**
   * false when the user teaches the course (nothing is written then): an instructor, or a
   * checker enrolled through Hive, whom adding as a student would demote.
   */
  private async addStudent(tx: Db, actor: Actor, courseId: number, username: string, names: MemberNames): Promise<boolean> {
    const existing = await userByName(tx, username);
    const role = existing ? await this.enrolment(tx, courseId, existing.id) : null;
    if (role !== null && role !== 'student') return false;
    const user = existing ?? (await ensureUser(tx, this.clock, username));
    await this.enrol(tx, actor, courseId, user.id, 'student');
    await this.setNames(tx, courseId, user.id, names);
    return true;
  }

  /**
   * Makes `role` the user's one membership of the course, through the core's enrolment. A new
   * membership (or a changed role) gets a fresh row, so member lists keep the order in which
   * people were added (and names set for the old role do not follow).
   */
  private async enrol(tx: Db, actor: Actor, courseId: number, userId: number, role: MemberRole): Promise<void> {
    if ((await this.membership(tx, courseId, userId)) === role) return;
    await this.unenrol(tx, actor, courseId, userId);
    await enrol(tx, { by: actor.id, at: this.clock.now() }, { courseId, userId, role });
  }

  private async unenrol(tx: Db, actor: Actor, courseId: number, userId: number): Promise<void> {
    const current = await enrolmentsRepo.find(tx, courseId, userId);
    if (current) await removeEnrolment(tx, { by: actor.id, at: this.clock.now() }, current.id);
  }

  /** The member's names in this course; the user's own profile is never touched. */
  private async setNames(tx: Db, courseId: number, userId: number, names: MemberNames): Promise<void> {
    if ([names.first_name, names.last_name, names.email].some((v) => v.includes('\u0000'))) {
      throw fail('invalid', 'incorrect_request_format');
    }
    await exchangeMembersRepo.setNames(tx, courseId, userId, names);
  }
}
