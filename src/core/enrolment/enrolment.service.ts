import crypto from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { Actor, CourseRole } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { roleIn } from '../courses/visibility.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError } from '../errors.ts';
import type { PasswordHasher } from '../identity/passwords.ts';
import { usersRepo } from '../identity/users.repo.ts';
import { MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, USERNAME_PATTERN } from '../identity/users.service.ts';
import type { ChangedBy } from './enrolment-writes.ts';
import { changeEnrolment, enrol, isCourseRole, removeEnrolment } from './enrolment-writes.ts';
import type { MemberRecord } from './enrolments.repo.ts';
import { enrolmentsRepo as repo } from './enrolments.repo.ts';
import { enrolmentPolicy } from './policy.ts';
import type { RosterColumn, RowProblem } from './roster-csv.ts';
import { parseRosterCsv, ROSTER_COLUMNS } from './roster-csv.ts';

/** The command line and a course directory's sync: the operator, trusted with every course. */
export const OPERATOR = Symbol('operator');
export type Caller = Actor | typeof OPERATOR;

export type CourseRef = { id: number } | { slug: string };
export type Member = MemberRecord;

export interface MemberPatch {
  role?: CourseRole;
  section?: string;
  dropped?: boolean;
}

/** What a roster row does: a new account and its enrolment, an enrolment, a changed one, nothing. */
export type RosterAction = 'create' | 'enrol' | 'change' | 'unchanged';

export interface RosterRowResult {
  line: number;
  username: string;
  role: CourseRole;
  action: RosterAction;
  /** A new account's one-time password (only when the import was applied). */
  password?: string;
}

export interface RosterReport {
  preview: boolean;
  rows: RosterRowResult[];
  /** Every bad row, each by its line; when there is one, nothing was written. */
  problems: RowProblem[];
}

export interface PlannedRow extends RosterRowResult {
  userId: number | null;
  email: string;
  first_name: string;
  last_name: string;
}

const MAX_USERNAME_LENGTH = 150;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/u;
const lowerAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Roster problems as one `invalid` error: each problem's field is `lines.<line>.<column>`. */
export function rosterError(problems: RowProblem[]): AssayError {
  const fields: FieldProblem[] = problems.map((p) => ({ field: `lines.${p.line}${p.column ? `.${p.column}` : ''}`, code: 'invalid', message: p.message }));
  return AssayError.invalid(fields);
}

/**
 * Course membership, the one way in for every caller: enrol users with a role, read the roster,
 * change or end a membership, import a roster file. Staff and the course's instructors manage
 * members; its checkers read the roster; other members are refused; everyone else is told the
 * course does not exist. Each operation is one transaction.
 */
export class EnrolmentService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
  ) {}

  /** The course, once the caller may `need` it: 404 for those who do not see it, 403 for members who may not. */
  private async course(caller: Caller, ref: CourseRef, need: 'read' | 'manage') {
    const course = 'slug' in ref && ref.slug === '' ? undefined : await repo.course(this.db, ref);
    if (!course) throw AssayError.notFound('slug' in ref ? `No course "${ref.slug}".` : undefined);
    if (caller === OPERATOR) return course;
    const role = await roleIn(this.db, caller, course.id);
    if (!enrolmentPolicy.seesCourse(caller, role)) throw AssayError.notFound();
    const allowed = need === 'read' ? enrolmentPolicy.canReadRoster(caller, role) : enrolmentPolicy.canManageMembers(caller, role);
    if (!allowed) throw AssayError.forbidden();
    return course;
  }

  /** Refuses (404 or 403) a caller who may not manage the course's members, before a request body is read. */
  async assertMayManage(caller: Caller, ref: CourseRef): Promise<void> {
    await this.course(caller, ref, 'manage');
  }

  async roster(caller: Caller, ref: CourseRef): Promise<Member[]> {
    const course = await this.course(caller, ref, 'read');
    return repo.roster(this.db, course.id);
  }

  /**
   * Enrols existing users with one role; each is named by username, or else by email address
   * (letters A-Z in any case). Answers their memberships.
   */
  async enrol(caller: Caller, ref: CourseRef, usernames: readonly string[], role: string): Promise<Member[]> {
    const course = await this.course(caller, ref, 'manage');
    if (!isCourseRole(role)) throw AssayError.field('role', 'invalid_choice', `"${role}" is not a role: student, checker or instructor.`);
    if (usernames.length === 0) throw AssayError.field('usernames', 'required', 'Name at least one user.');
    const users = await repo.usersByUsername(this.db, usernames);
    const byName = new Map(users.map((u) => [u.username, u]));
    const byEmail = new Map<string, { id: number; username: string }[]>();
    for (const u of await repo.usersByEmail(this.db, usernames.filter((n) => !byName.has(n) && n.includes('@')))) {
      const key = lowerAscii(u.email);
      byEmail.set(key, [...(byEmail.get(key) ?? []), u]);
    }
    const ids = new Map<string, number>();
    const unknown: FieldProblem[] = [];
    usernames.forEach((name, i) => {
      const found = byName.get(name);
      const mailed = found ? undefined : byEmail.get(lowerAscii(name));
      if (found) ids.set(name, found.id);
      else if (mailed?.length === 1) ids.set(name, mailed[0]!.id);
      else if (mailed) unknown.push({ field: `usernames.${i}`, code: 'invalid', message: `"${name}" is the email of ${mailed.length} accounts: name one by username.` });
      else unknown.push({ field: `usernames.${i}`, code: 'does_not_exist', message: name.includes('@') ? `No user named "${name}" or with that email.` : `No user named "${name}".` });
    });
    if (unknown.length > 0) throw AssayError.invalid(unknown);
    const who = changedBy(caller, this.clock.now());
    await this.db.transaction().execute(async (tx) => {
      for (const id of new Set(ids.values())) await enrol(tx, who, { courseId: course.id, userId: id, role });
    });
    const named = new Set(ids.values());
    return (await repo.roster(this.db, course.id)).filter((m) => named.has(m.user_id));
  }

  async update(caller: Caller, ref: CourseRef, userId: number, patch: MemberPatch): Promise<Member> {
    const course = await this.course(caller, ref, 'manage');
    if (patch.role !== undefined && !isCourseRole(patch.role)) throw AssayError.field('role', 'invalid_choice', `"${String(patch.role)}" is not a role: student, checker or instructor.`);
    await this.db.transaction().execute(async (tx) => {
      const current = await repo.find(tx, course.id, userId);
      if (!current) throw AssayError.notFound('That user is not a member of the course.');
      const change = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      await changeEnrolment(tx, changedBy(caller, this.clock.now()), current.id, change);
    });
    return (await repo.roster(this.db, course.id)).find((m) => m.user_id === userId)!;
  }

  async remove(caller: Caller, ref: CourseRef, userId: number): Promise<void> {
    const course = await this.course(caller, ref, 'manage');
    await this.db.transaction().execute(async (tx) => {
      const current = await repo.find(tx, course.id, userId);
      if (!current) throw AssayError.notFound('That user is not a member of the course.');
      await removeEnrolment(tx, changedBy(caller, this.clock.now()), current.id);
    });
  }

  /**
   * Imports a roster file (see roster-csv.ts): every row is checked first; with any problem the
   * report lists them all and nothing is written. Otherwise (unless `preview`) new accounts are
   * created with one-time passwords, and every row's enrolment is written, in one transaction.
   */
  async importRoster(caller: Caller, ref: CourseRef, csv: string, options: { preview: boolean }): Promise<RosterReport> {
    const course = await this.course(caller, ref, 'manage');
    const plan = await this.planRoster(this.db, course.id, csv);
    if (plan.problems.length > 0 || options.preview) return { preview: options.preview, rows: plan.rows.map(publicRow), problems: plan.problems };
    const applied = await this.hashPasswords(plan.rows);
    await this.db.transaction().execute((tx) => this.applyRoster(tx, course.id, applied, caller));
    return { preview: false, rows: applied.map(({ row, password }) => ({ ...publicRow(row), ...(password ? { password } : {}) })), problems: [] };
  }

  /** For a course directory's sync: checks a roster against the database as it is (no writes). */
  async planRoster(db: Db, courseId: number | null, csv: string): Promise<{ rows: PlannedRow[]; problems: RowProblem[] }> {
    const parsed = parseRosterCsv(csv);
    if (parsed.problems.length > 0) return { rows: [], problems: parsed.problems };
    const problems: RowProblem[] = [];
    const rows: PlannedRow[] = [];
    const seenNames = new Map<string, number>();
    const seenEmails = new Map<string, number>();
    for (const { line, values } of parsed.lines) {
      const bad = (column: RosterColumn, message: string) => problems.push({ line, column, message });
      const { username, email, first_name, last_name } = values;
      const role = values.role === '' ? 'student' : values.role.toLowerCase();
      if (username === '') bad('username', 'is empty');
      else if (username.length > MAX_USERNAME_LENGTH || !USERNAME_PATTERN.test(username)) bad('username', 'may hold only letters, digits and @ . + - _ (at most 150)');
      else if (seenNames.has(username)) bad('username', `is also on line ${seenNames.get(username)}`);
      else seenNames.set(username, line);
      if (!isCourseRole(role)) bad('role', `"${values.role}" is not a role: student, checker or instructor`);
      for (const [column, v] of [['first_name', first_name], ['last_name', last_name]] as const) {
        if (v.length > MAX_NAME_LENGTH) bad(column, `is longer than ${MAX_NAME_LENGTH} characters`);
      }
      const existing = username === '' ? undefined : await usersRepo.byUsername(db, username);
      if (email !== '') {
        const key = lowerAscii(email);
        if (email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) bad('email', `"${email}" is not an email address`);
        else if (seenEmails.has(key)) bad('email', `is also on line ${seenEmails.get(key)}`);
        else {
          seenEmails.set(key, line);
          if (!existing && (await usersRepo.otherWithEmail(db, email, null))) bad('email', 'belongs to another account');
        }
      }
      if (!isCourseRole(role)) continue;
      let action: RosterAction = 'create';
      if (existing) {
        const current = courseId === null ? undefined : await repo.find(db, courseId, existing.id);
        action = !current ? 'enrol' : current.role !== role || current.dropped ? 'change' : 'unchanged';
      }
      rows.push({ line, username, role, action, userId: existing?.id ?? null, email, first_name, last_name });
    }
    const order = (p: RowProblem) => (p.column === null ? -1 : ROSTER_COLUMNS.indexOf(p.column));
    problems.sort((a, b) => a.line - b.line || order(a) - order(b));
    return { rows, problems };
  }

  /** One-time passwords for the accounts a roster creates, hashed before any transaction opens. */
  async hashPasswords(rows: PlannedRow[]): Promise<{ row: PlannedRow; password: string | null; hash: string | null }[]> {
    const out = [];
    for (const row of rows) {
      if (row.userId !== null) {
        out.push({ row, password: null, hash: null });
        continue;
      }
      const password = crypto.randomBytes(12).toString('base64url');
      out.push({ row, password, hash: await this.hasher.hash(password) });
    }
    return out;
  }

  /** Writes a checked roster inside the caller's transaction (`caller` is who the audit trail names). */
  async applyRoster(tx: Db, courseId: number, rows: { row: PlannedRow; hash: string | null }[], caller: Caller = OPERATOR): Promise<void> {
    const now = this.clock.now();
    const who = changedBy(caller, now);
    for (const { row, hash } of rows) {
      let userId = row.userId;
      if (userId === null) {
        const created = await usersRepo.insert(tx, {
          username: row.username,
          password_hash: hash,
          clearance: enrolmentPolicy.clearanceForNewMember(row.role),
          first_name: row.first_name,
          last_name: row.last_name,
          email: row.email,
          status_date: now,
          created_at: now,
        });
        userId = created.id;
      }
      await enrol(tx, who, { courseId, userId, role: row.role });
    }
  }
}

/** The audit trail's "who": the caller's account, or none for the operator. */
const changedBy = (caller: Caller, at: string): ChangedBy => ({ by: caller === OPERATOR ? null : caller.id, at });

const publicRow = (r: PlannedRow): RosterRowResult => ({ line: r.line, username: r.username, role: r.role, action: r.action });
