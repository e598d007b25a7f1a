import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { visibleCourseIds } from '../courses/visibility.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError } from '../errors.ts';
import { planSeating } from './auto-seat.ts';
import type { ClassesService } from './classes.service.ts';
import { missingReferences } from '../courses/references.ts';
import { assertReader } from './references.ts';
import { classPolicy } from './policy.ts';
import { classesRepo, seatingRepo } from './classes.repo.ts';

export interface SeatingRow {
  id: number;
  hostname: string | null;
  hanich: number | null;
  classroom: number;
  x: number;
  y: number;
}

export interface SeatingInput {
  hostname?: string | null;
  hanich?: number | null;
  classroom?: number;
  x?: number;
  y?: number;
}

/**
 * Seats: a workstation position (x, y) in a room (a class), optionally with its hostname and the
 * student sitting there. One seat per position; a student sits at most once in a room.
 */
export class SeatingService {
  constructor(
    private readonly db: Db,
    private readonly classes: ClassesService,
  ) {}

  private static render({ course_id: _course, ...row }: SeatingRow & { course_id: number }): SeatingRow {
    return row;
  }

  async list(actor: Actor, filters: { classroomId?: number }): Promise<SeatingRow[]> {
    assertReader(actor);
    const visible = await visibleCourseIds(this.db, actor);
    return (await seatingRepo.list(this.db, { visible, classroomId: filters.classroomId })).map(SeatingService.render);
  }

  async get(actor: Actor, id: number): Promise<SeatingRow> {
    assertReader(actor);
    const [row] = await seatingRepo.list(this.db, { visible: null, id });
    if (!row) throw AssayError.notFound();
    const visible = await visibleCourseIds(this.db, actor);
    if (visible !== null && !visible.includes(row.course_id)) throw AssayError.notFound();
    return SeatingService.render(row);
  }

  async getForWrite(actor: Actor, id: number): Promise<SeatingRow> {
    const current = await this.get(actor, id);
    if (!classPolicy.mayManage(actor)) throw AssayError.forbidden();
    return current;
  }

  private async problems(next: SeatingRow, input: SeatingInput, selfId: number | null): Promise<FieldProblem[]> {
    const problems: FieldProblem[] = [];
    if (input.classroom !== undefined) problems.push(...(await missingReferences(this.db, 'classes', [input.classroom], 'classroom')));
    if (input.hanich != null) problems.push(...(await missingReferences(this.db, 'users', [input.hanich], 'hanich')));
    if (problems.length > 0) return problems;
    const taken = await seatingRepo.otherAt(this.db, next.classroom, next.x, next.y, selfId ?? 0);
    if (taken) problems.push({ field: null, code: 'unique', message: 'The fields classroom, x, y must make a unique set.' });
    if (next.hanich !== null) {
      const twice = await seatingRepo.otherOf(this.db, next.classroom, next.hanich, selfId ?? 0);
      if (twice) problems.push({ field: 'hanich', code: 'unique', message: 'This student already has a seat in this room.' });
    }
    return problems;
  }

  async create(actor: Actor, input: SeatingInput & { classroom: number; x: number; y: number }): Promise<SeatingRow> {
    if (!classPolicy.mayManage(actor)) throw AssayError.forbidden();
    const next: SeatingRow = { id: 0, hostname: input.hostname ?? null, hanich: input.hanich ?? null, classroom: input.classroom, x: input.x, y: input.y };
    const problems = await this.problems(next, input, null);
    if (problems.length > 0) throw AssayError.invalid(problems);
    const seatId = await seatingRepo.insert(this.db, { classroom_id: next.classroom, user_id: next.hanich, hostname: next.hostname, x: next.x, y: next.y });
    return this.get(actor, seatId);
  }

  async update(actor: Actor, id: number, input: SeatingInput): Promise<SeatingRow> {
    const current = await this.getForWrite(actor, id);
    const next: SeatingRow = {
      id,
      hostname: input.hostname !== undefined ? input.hostname : current.hostname,
      hanich: input.hanich !== undefined ? input.hanich : current.hanich,
      classroom: input.classroom ?? current.classroom,
      x: input.x ?? current.x,
      y: input.y ?? current.y,
    };
    const problems = await this.problems(next, input, id);
    if (problems.length > 0) throw AssayError.invalid(problems);
    await seatingRepo.update(this.db, id, { classroom_id: next.classroom, user_id: next.hanich, hostname: next.hostname, x: next.x, y: next.y });
    return this.get(actor, id);
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.getForWrite(actor, id);
    await seatingRepo.delete(this.db, id);
  }

  /** The class action `auto_seat`: every student of the class on a free seat of its room (see planSeating). */
  async autoSeat(actor: Actor, classId: number): Promise<void> {
    await this.classes.getForWrite(actor, classId);
    await this.db.transaction().execute(async (tx) => {
      const studentIds = await this.classes.studentIds(tx, classId);
      const students = await classesRepo.usersWithNumbers(tx, studentIds);
      const seats = await seatingRepo.inRoom(tx, classId);
      const plan = planSeating(seats, students);
      if ('missing' in plan) {
        throw AssayError.field(null, 'invalid', `Not enough free seats: ${plan.missing} students need a seat, ${plan.free} seats are free.`);
      }
      for (const [seatId, userId] of plan.moves) await seatingRepo.update(tx, seatId, { user_id: userId });
    });
  }
}
