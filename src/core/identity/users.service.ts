import type { Db } from '../../db/database.ts';
import { existingIds } from '../../db/existing-ids.ts';
import type { RowPatch } from '../../db/types.ts';
import type { Actor, ClearanceLevel } from '../actor.ts';
import { Clearance } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { visibleCourseIds } from '../courses/visibility.ts';
import { enrol, removeEnrolment } from '../enrolment/enrolment-writes.ts';
import { enrolmentsRepo } from '../enrolment/enrolments.repo.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import type { PasswordHasher } from './passwords.ts';
import { userPolicy } from './policy.ts';
import type { UserFilters, UserRow } from './users.repo.ts';
import { usersRepo } from './users.repo.ts';

export interface User extends UserRow {
  classes: number[];
  mentees: number[];
}

/** Account fields a staff member sets. Keys left undefined are not changed. */
export interface UserInput {
  username?: string;
  password?: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  clearance?: ClearanceLevel;
  gender?: string;
  number?: number | null;
  program?: number | null;
  mentor?: number | null;
  classes?: number[];
  mentees?: number[];
  status?: string;
  queue?: number | null;
  user_queue?: number | null;
  override_queue?: number | null;
  disable_queue?: boolean;
  disable_user_queue?: boolean;
  confirmed?: boolean;
  teacher?: boolean;
  hostname?: string;
  avatar_filename?: string;
  avatar_blob?: string | null;
  checkers_brief?: string;
  is_active?: boolean;
}

export type { UserFilters } from './users.repo.ts';

export const USERNAME_PATTERN = /^[\w.@+-]+$/u;

/** An account's contact details: what Autolab's API names a user by (`email`) and shows (names). */
export interface AccountProfile {
  id: number;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
}

/** Profile fields to change; keys left undefined are not changed. `email: ""` clears it. */
export interface ProfileInput {
  email?: string;
  first_name?: string;
  last_name?: string;
}

export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 150;
/** One `@` with something on each side and no whitespace; deliverability is not Assay's to judge. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/u;

const toProfile = (row: UserRow): AccountProfile => ({ id: row.id, username: row.username, email: row.email, first_name: row.first_name, last_name: row.last_name });

/** What a user calls themselves about: their program's student flags and current assignment. */
export interface SelfProfile {
  user: User;
  program: { name: string; hanich_day_only: boolean; hanich_schedule: boolean; hanich_raise_hand: boolean } | null;
  currentAssignment: { id: number; exercise_id: number; exercise_name: string; module_id: number | null; subject_id: number | null } | null;
}

/** "First Last", or the username when the person has no name. */
export function displayName(user: Pick<UserRow, 'first_name' | 'last_name' | 'username'>): string {
  return `${user.first_name} ${user.last_name}`.trim() || user.username;
}

/** Users, their passwords and their relations (classes, mentees, student program). */
export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
  ) {}

  async actorFor(userId: number): Promise<Actor | null> {
    const row = await usersRepo.actorRow(this.db, userId);
    if (!row || !row.is_active) return null;
    return { id: row.id, username: row.username, clearance: row.clearance as ClearanceLevel };
  }

  /** The account for these credentials, or null (unknown user, wrong password, inactive). */
  async authenticate(username: string, password: string): Promise<Actor | null> {
    const row = await usersRepo.byUsername(this.db, username);
    const ok = await this.hasher.verify(row?.password_hash ?? null, password);
    if (!row || !ok || !row.is_active) return null;
    return { id: row.id, username: row.username, clearance: row.clearance as ClearanceLevel };
  }

  private async withRelations(rows: UserRow[]): Promise<User[]> {
    const ids = rows.map((r) => r.id);
    const [classes, mentees] = await Promise.all([usersRepo.classIds(this.db, ids), usersRepo.menteeIds(this.db, ids)]);
    return rows.map((r) => ({ ...r, classes: classes.get(r.id) ?? [], mentees: mentees.get(r.id) ?? [] }));
  }

  async list(actor: Actor, filters: UserFilters): Promise<User[]> {
    const scope =
      actor.clearance < Clearance.checker
        ? { onlyId: actor.id }
        : actor.clearance < Clearance.staff
          ? { staffOrPrograms: (await visibleCourseIds(this.db, actor)) ?? [] }
          : {};
    return this.withRelations(await usersRepo.query(this.db, { ...filters, ...scope }));
  }

  /** A user the actor may see; others are "not found". */
  async get(actor: Actor, id: number): Promise<User> {
    const row = await usersRepo.byId(this.db, id);
    if (!row || !(await this.canSee(actor, row))) throw AssayError.notFound();
    return (await this.withRelations([row]))[0]!;
  }

  async getSelf(actor: Actor): Promise<User> {
    const row = await usersRepo.byId(this.db, actor.id);
    if (!row) throw AssayError.notFound();
    return (await this.withRelations([row]))[0]!;
  }

  /** The caller's own account with its program flags and the exercise it is working on. */
  async profile(actor: Actor): Promise<SelfProfile> {
    const user = await this.getSelf(actor);
    const program = user.program_id === null
      ? undefined
      : await usersRepo.program(this.db, user.program_id);
    const assignment = user.current_assignment_id === null
      ? undefined
      : await usersRepo.currentAssignment(this.db, user.current_assignment_id);
    return { user, program: program ?? null, currentAssignment: assignment ?? null };
  }

  /**
   * An account's profile, for the user themself and admins; others who can see the account are
   * forbidden, the rest get "not found".
   */
  async accountProfile(actor: Actor, id: number): Promise<AccountProfile> {
    return toProfile(await this.profileRow(actor, id));
  }

  async updateAccountProfile(actor: Actor, id: number, input: ProfileInput): Promise<AccountProfile> {
    await this.profileRow(actor, id);
    return this.writeProfile(id, input);
  }

  /** Changes a profile from the command line (no actor: the operator is trusted). */
  async updateProfileTrusted(username: string, input: ProfileInput): Promise<AccountProfile> {
    const row = await usersRepo.byUsername(this.db, username);
    if (!row) throw AssayError.notFound(`No user named ${username}.`);
    return this.writeProfile(row.id, input);
  }

  private async profileRow(actor: Actor, id: number): Promise<UserRow> {
    const row = await usersRepo.byId(this.db, id);
    if (!row || !(await this.canSee(actor, row))) throw AssayError.notFound();
    if (!userPolicy.canEditProfile(actor, id)) throw AssayError.forbidden();
    return row;
  }

  private async writeProfile(id: number, input: ProfileInput): Promise<AccountProfile> {
    const problems = await this.profileProblems(input, id);
    if (problems.length > 0) throw AssayError.invalid(problems);
    const patch: RowPatch<'users'> = {};
    for (const key of ['email', 'first_name', 'last_name'] as const) if (input[key] !== undefined) patch[key] = input[key];
    await usersRepo.update(this.db, id, patch);
    return toProfile((await usersRepo.byId(this.db, id))!);
  }

  /**
   * An email is empty (none) or one address, held by no other account whatever its ASCII case:
   * Autolab's API names users by email, so two accounts may not share one.
   */
  private async profileProblems(input: ProfileInput, selfId: number | null): Promise<FieldProblem[]> {
    const problems: FieldProblem[] = [];
    const { email } = input;
    if (email !== undefined && email !== '') {
      if (email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) problems.push({ field: 'email', code: 'invalid', message: 'Enter a valid email address.' });
      else if (await usersRepo.otherWithEmail(this.db, email, selfId)) problems.push({ field: 'email', code: 'unique', message: 'A user with that email already exists.' });
    }
    for (const key of ['first_name', 'last_name'] as const) {
      const v = input[key];
      if (v !== undefined && (v.length > MAX_NAME_LENGTH || v.includes('\0'))) {
        problems.push({ field: key, code: 'invalid', message: `Ensure this field has no more than ${MAX_NAME_LENGTH} characters and no NUL.` });
      }
    }
    return problems;
  }

  /** The stored avatar of a user the actor may see; not found when there is none. */
  async avatar(actor: Actor, id: number): Promise<{ blob: string; filename: string }> {
    const user = await this.get(actor, id);
    if (!userPolicy.canReadAvatar(actor, id)) throw AssayError.notFound();
    if (!user.avatar_blob) throw AssayError.notFound();
    return { blob: user.avatar_blob, filename: user.avatar_filename };
  }

  /**
   * The account the actor is about to change or delete: invisible ones are not found, visible
   * ones the actor may not manage (anyone but staff; admins unless the actor is one) are forbidden.
   */
  async assertManageable(actor: Actor, id: number): Promise<UserRow> {
    const current = await usersRepo.byId(this.db, id);
    if (!current || !(await this.canSee(actor, current))) throw AssayError.notFound();
    if (!userPolicy.canManageUsers(actor) || !userPolicy.canTouchClearance(actor, current.clearance)) throw AssayError.forbidden();
    return current;
  }

  private async canSee(actor: Actor, row: UserRow): Promise<boolean> {
    if (row.id === actor.id || actor.clearance >= Clearance.staff) return true;
    if (actor.clearance < Clearance.checker) return false;
    if (row.clearance > Clearance.student) return true;
    const courses = (await visibleCourseIds(this.db, actor)) ?? [];
    return row.program_id !== null && courses.includes(row.program_id);
  }

  private async checkReferences(input: UserInput, selfId: number | null): Promise<FieldProblem[]> {
    const problems: FieldProblem[] = [];
    const exists = async (table: 'courses' | 'users' | 'classes' | 'queues', ids: number[], field: string) => {
      if (ids.length === 0) return;
      const found = await existingIds(this.db, table, ids);
      for (const id of ids) {
        if (!found.has(id)) problems.push(doesNotExist(field, id));
      }
    };
    if (input.program != null) await exists('courses', [input.program], 'program');
    if (input.mentor != null) await exists('users', [input.mentor], 'mentor');
    if (input.classes) await exists('classes', input.classes, 'classes');
    if (input.mentees) await exists('users', input.mentees, 'mentees');
    for (const key of ['queue', 'user_queue', 'override_queue'] as const) {
      const v = input[key];
      if (v != null) await exists('queues', [v], key);
    }
    if (input.username !== undefined) {
      if (!USERNAME_PATTERN.test(input.username)) {
        problems.push({
          field: 'username',
          code: 'invalid',
          message: 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
        });
      } else {
        const taken = await usersRepo.byUsername(this.db, input.username);
        if (taken && taken.id !== selfId) problems.push({ field: 'username', code: 'unique', message: 'A user with that username already exists.' });
      }
    }
    return problems;
  }

  /**
   * Upstream's `hanich_required_fields` rule, as a validation error instead of a server error.
   * `required` says which of a student's `number` and `program` the request must supply: both
   * when it makes a student, only a cleared one when it changes a student.
   */
  private clearanceRule(
    clearance: number,
    number: number | null,
    program: number | null,
    teacher: boolean,
    required: { number: boolean; program: boolean } = { number: true, program: true },
  ): FieldProblem[] {
    if (clearance === Clearance.student) {
      const out: FieldProblem[] = [];
      if (number === null && required.number) out.push({ field: 'number', code: 'required', message: 'This field is required.' });
      if (program === null && required.program) out.push({ field: 'program', code: 'required', message: 'This field is required.' });
      return out;
    }
    if (number !== null || program !== null || teacher) {
      return [{ field: null, code: 'invalid', message: 'Only students (clearance 1) may have number, program or teacher.' }];
    }
    return [];
  }

  async create(actor: Actor, input: UserInput & { username: string; clearance: ClearanceLevel }): Promise<User> {
    if (!userPolicy.canManageUsers(actor) || !userPolicy.canTouchClearance(actor, input.clearance)) throw AssayError.forbidden();
    const problems = [
      ...(await this.checkReferences(input, null)),
      ...this.clearanceRule(input.clearance, input.number ?? null, input.program ?? null, input.teacher ?? false),
    ];
    if (problems.length > 0) throw AssayError.invalid(problems);
    const now = this.clock.now();
    const passwordHash = input.password ? await this.hasher.hash(input.password) : null;
    const id = await this.db.transaction().execute(async (tx) => {
      const row = await usersRepo.insert(tx, {
        ...this.columns(input),
        username: input.username,
        clearance: input.clearance,
        password_hash: passwordHash,
        status_date: now,
        created_at: now,
      });
      await this.writeRelations(tx, actor, row.id, input, null);
      return row.id;
    });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: number, input: UserInput): Promise<User> {
    const current = await this.assertManageable(actor, id);
    if (input.clearance !== undefined && !userPolicy.canTouchClearance(actor, input.clearance)) throw AssayError.forbidden();
    const clearance = input.clearance ?? current.clearance;
    // A student made without a number or course (the CLI, a roster, ngshare, Autolab) stays
    // editable: the request is refused only for clearing one, or for making a student without them.
    const becomesStudent = current.clearance !== Clearance.student;
    const problems = [
      ...(await this.checkReferences(input, id)),
      ...this.clearanceRule(
        clearance,
        input.number !== undefined ? input.number : current.number,
        input.program !== undefined ? input.program : current.program_id,
        input.teacher ?? current.teacher,
        { number: becomesStudent || current.number !== null, program: becomesStudent || current.program_id !== null },
      ),
    ];
    if (problems.length > 0) throw AssayError.invalid(problems);
    const patch: RowPatch<'users'> = this.columns(input);
    if (input.password) patch.password_hash = await this.hasher.hash(input.password);
    if (input.status !== undefined && input.status !== current.status) patch.status_date = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      await usersRepo.update(tx, id, patch);
      await this.writeRelations(tx, actor, id, input, current.program_id);
    });
    return this.get(actor, id);
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.assertManageable(actor, id);
    await usersRepo.delete(this.db, id);
  }

  /** What a user may change about themselves (Hive's `me`). */
  async updateSelf(
    actor: Actor,
    input: { status?: string; current_assignment?: number | null; confirmed?: boolean; password?: string; current_password?: string; hostname?: string },
  ): Promise<User> {
    const current = await usersRepo.byId(this.db, actor.id);
    if (!current) throw AssayError.notFound();
    const patch: RowPatch<'users'> = {};
    if (input.password !== undefined) {
      if (input.current_password === undefined) throw AssayError.field('current_password', 'required', 'This field is required.');
      if (!(await this.hasher.verify(current.password_hash, input.current_password))) {
        throw AssayError.field('current_password', 'invalid', 'Current password is incorrect.');
      }
      patch.password_hash = await this.hasher.hash(input.password);
    }
    if (input.current_assignment !== undefined && input.current_assignment !== null) {
      if (!(await usersRepo.ownsAssignment(this.db, actor.id, input.current_assignment))) {
        throw AssayError.invalid([doesNotExist('current_assignment', input.current_assignment)]);
      }
    }
    if (input.current_assignment !== undefined) patch.current_assignment_id = input.current_assignment;
    if (input.status !== undefined) {
      patch.status = input.status;
      patch.status_date = this.clock.now();
    }
    if (input.confirmed !== undefined) patch.confirmed = input.confirmed;
    if (input.hostname !== undefined) patch.hostname = input.hostname;
    await usersRepo.update(this.db, actor.id, patch);
    return this.getSelf(actor);
  }

  /** Marks the caller present today: one attendance row per user per day. */
  async checkIn(actor: Actor): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      await usersRepo.checkIn(tx, actor.id, now.slice(0, 10), now);
      await usersRepo.update(tx, actor.id, { status: 'Present', status_date: now });
    });
  }

  async attendance(userId: number): Promise<{ day: string; checked_in_at: string }[]> {
    return usersRepo.attendance(this.db, userId);
  }

  /** Creates or changes a password from the command line (no actor: the operator is trusted). */
  async setPassword(username: string, password: string): Promise<void> {
    const row = await usersRepo.byUsername(this.db, username);
    if (!row) throw AssayError.notFound(`No user named ${username}.`);
    await usersRepo.update(this.db, row.id, { password_hash: await this.hasher.hash(password) });
  }

  /** Creates an account without an actor, for the CLI and first start. */
  async createTrusted(input: { username: string; password: string; clearance: ClearanceLevel; first_name?: string; last_name?: string; email?: string }): Promise<UserRow> {
    if (!USERNAME_PATTERN.test(input.username)) throw AssayError.field('username', 'invalid', 'Enter a valid username.');
    if (await usersRepo.byUsername(this.db, input.username)) throw AssayError.field('username', 'unique', 'A user with that username already exists.');
    const problems = await this.profileProblems(input, null);
    if (problems.length > 0) throw AssayError.invalid(problems);
    const now = this.clock.now();
    return usersRepo.insert(this.db, {
      username: input.username,
      password_hash: await this.hasher.hash(input.password),
      clearance: input.clearance,
      first_name: input.first_name ?? '',
      last_name: input.last_name ?? '',
      email: input.email ?? '',
      status_date: now,
      created_at: now,
    });
  }

  byUsername(username: string): Promise<UserRow | undefined> {
    return usersRepo.byUsername(this.db, username);
  }

  listAll(): Promise<UserRow[]> {
    return usersRepo.list(this.db);
  }

  count(): Promise<number> {
    return usersRepo.count(this.db);
  }

  private columns(input: UserInput): RowPatch<'users'> {
    const patch: RowPatch<'users'> = {};
    const copy = <K extends keyof UserInput & keyof RowPatch<'users'>>(key: K) => {
      if (input[key] !== undefined) (patch as Record<string, unknown>)[key] = input[key];
    };
    for (const key of [
      'username', 'first_name', 'last_name', 'email', 'clearance', 'gender', 'number', 'status', 'disable_queue',
      'disable_user_queue', 'confirmed', 'teacher', 'hostname', 'avatar_filename', 'avatar_blob', 'checkers_brief', 'is_active',
    ] as const) {
      copy(key);
    }
    if (input.program !== undefined) patch.program_id = input.program;
    if (input.mentor !== undefined) patch.mentor_id = input.mentor;
    if (input.queue !== undefined) patch.queue_id = input.queue;
    if (input.user_queue !== undefined) patch.user_queue_id = input.user_queue;
    if (input.override_queue !== undefined) patch.override_queue_id = input.override_queue;
    return patch;
  }

  /** Classes, mentees and the student enrolment that mirrors Hive's single `program`. */
  private async writeRelations(tx: Db, actor: Actor, userId: number, input: UserInput, oldProgram: number | null): Promise<void> {
    if (input.classes) await usersRepo.setClasses(tx, userId, input.classes);
    if (input.mentees) await usersRepo.setMentees(tx, userId, input.mentees);
    if (input.program !== undefined && input.program !== oldProgram) {
      const left = oldProgram === null ? undefined : await enrolmentsRepo.find(tx, oldProgram, userId);
      const who = { by: actor.id, at: this.clock.now() };
      if (left?.role === 'student') await removeEnrolment(tx, who, left.id);
      if (input.program !== null) await enrol(tx, who, { courseId: input.program, userId, role: 'student' });
    }
  }
}
