import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { visibleCourseIds } from '../courses/visibility.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError } from '../errors.ts';
import { missingReferences } from '../courses/references.ts';
import { assertReader } from './references.ts';
import { classPolicy } from './policy.ts';
import { classesRepo } from './classes.repo.ts';
import type { ClassRow } from './classes.repo.ts';

export const CLASS_TYPES = ['Room', 'Student Group'] as const;
export type ClassType = (typeof CLASS_TYPES)[number];

export interface SchoolClass {
  id: number;
  name: string;
  program: number;
  program__name: string;
  users: number[];
  email: string;
  type: string;
  description: string | null;
}

/** What staff set on a class; `classes` copies the members of other classes into this one. */
export interface ClassInput {
  name?: string;
  program?: number;
  users?: number[];
  email?: string;
  type?: ClassType;
  description?: string | null;
  classes?: number[];
}

export interface ClassFilters {
  ids?: number[];
  name?: string;
  programIds?: number[];
  type?: string;
}

// Django's EmailValidator, reduced to what a person can tell apart: one @, a dotted domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

/**
 * Classes: rooms and student groups of a program (one object, told apart by `type`). Checkers
 * read the classes of the programs they check, staff read and write every class.
 */
export class ClassesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private async render(rows: ClassRow[]): Promise<SchoolClass[]> {
    const members = new Map<number, number[]>();
    for (const m of await classesRepo.members(this.db, rows.map((r) => r.id))) members.set(m.class_id, [...(members.get(m.class_id) ?? []), m.user_id]);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      program: r.course_id,
      program__name: r.program_name,
      users: members.get(r.id) ?? [],
      email: r.email,
      type: r.type,
      description: r.description,
    }));
  }

  async list(actor: Actor, filters: ClassFilters): Promise<SchoolClass[]> {
    assertReader(actor);
    return this.render(await classesRepo.list(this.db, { ...filters, visible: await visibleCourseIds(this.db, actor) }));
  }

  /** A class the actor may see; others are "not found". */
  async get(actor: Actor, id: number): Promise<SchoolClass> {
    assertReader(actor);
    const [row] = await classesRepo.list(this.db, { visible: null, id });
    if (!row) throw AssayError.notFound();
    const visible = await visibleCourseIds(this.db, actor);
    if (visible !== null && !visible.includes(row.course_id)) throw AssayError.notFound();
    return (await this.render([row]))[0]!;
  }

  /** The class the actor is about to change: invisible is not found, visible but not staff is forbidden. */
  async getForWrite(actor: Actor, id: number): Promise<SchoolClass> {
    const current = await this.get(actor, id);
    if (!classPolicy.mayManage(actor)) throw AssayError.forbidden();
    return current;
  }

  private async problems(input: ClassInput, selfId: number | null): Promise<FieldProblem[]> {
    const problems: FieldProblem[] = [];
    if (input.name !== undefined) {
      const other = await classesRepo.idByName(this.db, input.name);
      if (other && other.id !== selfId) problems.push({ field: 'name', code: 'unique', message: 'class with this name already exists.' });
    }
    if (input.email !== undefined && input.email !== '' && !EMAIL.test(input.email)) {
      problems.push({ field: 'email', code: 'invalid', message: 'Enter a valid email address.' });
    }
    if (input.program !== undefined) problems.push(...(await missingReferences(this.db, 'courses', [input.program], 'program')));
    if (input.users) problems.push(...(await missingReferences(this.db, 'users', input.users, 'users')));
    if (input.classes) problems.push(...(await missingReferences(this.db, 'classes', input.classes, 'classes')));
    return problems;
  }

  /** The member list a write leaves: `users` (or the current members), plus every member of `classes`. */
  private async members(tx: Db, input: ClassInput, current: number[]): Promise<number[] | null> {
    if (input.users === undefined && (input.classes === undefined || input.classes.length === 0)) return null;
    const out = new Set(input.users ?? current);
    if (input.classes && input.classes.length > 0) {
      const copied = await classesRepo.members(tx, input.classes);
      for (const c of copied) out.add(c.user_id);
    }
    return [...out].sort((a, b) => a - b);
  }

  async create(actor: Actor, input: ClassInput & { name: string; program: number; users: number[] }): Promise<SchoolClass> {
    if (!classPolicy.mayManage(actor)) throw AssayError.forbidden();
    const problems = await this.problems(input, null);
    if (problems.length > 0) throw AssayError.invalid(problems);
    const id = await this.db.transaction().execute(async (tx) => {
      const classId = await classesRepo.insert(tx, {
        name: input.name,
        course_id: input.program,
        email: input.email ?? '',
        type: input.type ?? 'Room',
        description: input.description ?? null,
        created_at: this.clock.now(),
      });
      await classesRepo.setMembers(tx, classId, (await this.members(tx, input, [])) ?? []);
      return classId;
    });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: number, input: ClassInput): Promise<SchoolClass> {
    const current = await this.getForWrite(actor, id);
    const problems = await this.problems(input, id);
    if (problems.length > 0) throw AssayError.invalid(problems);
    await this.db.transaction().execute(async (tx) => {
      const patch = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.program !== undefined ? { course_id: input.program } : {}),
        ...(input.email !== undefined ? { email: input.email } : {}),
        ...(input.type !== undefined ? { type: input.type } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
      };
      if (Object.keys(patch).length > 0) await classesRepo.update(tx, id, patch);
      const members = await this.members(tx, input, current.users);
      if (members) await classesRepo.setMembers(tx, id, members);
    });
    return this.get(actor, id);
  }

  /** Members, seats, field groups and lesson-rule groups of the class go with it (foreign-key cascades). */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.getForWrite(actor, id);
    await classesRepo.delete(this.db, id);
  }

  /** Ids of the students (clearance 1) among the class's members, ascending. */
  studentIds(db: Db, classId: number): Promise<number[]> {
    return classesRepo.studentIds(db, classId);
  }

  /** The class action `queue`: one queue (or none) for every student of the class. */
  async setQueue(actor: Actor, id: number, queueId: number | null): Promise<void> {
    await this.getForWrite(actor, id);
    if (queueId !== null) {
      const problems = await missingReferences(this.db, 'queues', [queueId], 'queue');
      if (problems.length > 0) throw AssayError.invalid(problems);
    }
    const students = await this.studentIds(this.db, id);
    await classesRepo.setUsersQueue(this.db, students, 'queue_id', queueId);
  }

  /** `unassign_override_queues`: the students of the class follow their own queues again. */
  async clearOverrideQueues(actor: Actor, id: number): Promise<void> {
    await this.getForWrite(actor, id);
    const students = await this.studentIds(this.db, id);
    await classesRepo.setUsersQueue(this.db, students, 'override_queue_id', null);
  }
}
