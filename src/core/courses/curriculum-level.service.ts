import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError } from '../errors.ts';
import type { CurriculumLevelRepo } from './curriculum.repo.ts';
import { missingReferences } from './references.ts';
import { canManageCourse, visibleCourseIds } from './visibility.ts';

/** What sets one curriculum level apart: its queries, its parent, and how its input becomes a row. */
export interface CurriculumLevel<Row, Filters, Create, Update, Insert, Patch> {
  repo: CurriculumLevelRepo<Row, Filters, Insert, Patch>;
  /** The parent's table and the field its `does_not_exist` problem names. */
  parent: { table: 'courses' | 'subjects'; field: string };
  parentId(input: Update): number | undefined;
  insertRow(input: Create, now: string): Insert;
  patch(input: Update): Patch;
}

/**
 * A curriculum level (subjects inside a course, modules inside a subject): visible to those who see
 * its course, written by those who manage it; exercises follow a row moved to another course.
 */
export class CurriculumLevelService<Row extends { course_id: number }, Filters, Create extends Update, Update, Insert, Patch extends object> {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly level: CurriculumLevel<Row, Filters, Create, Update, Insert, Patch>,
  ) {}

  async list(actor: Actor, filters: Filters = {} as Filters): Promise<Row[]> {
    return this.level.repo.list(this.db, await visibleCourseIds(this.db, actor), filters);
  }

  async get(actor: Actor, id: number): Promise<Row> {
    const row = await this.level.repo.byId(this.db, id);
    const visible = await visibleCourseIds(this.db, actor);
    if (!row || (visible !== null && !visible.includes(row.course_id))) throw AssayError.notFound();
    return row;
  }

  /** The course the input's parent puts the row in (null: no parent given), once the actor may write there. */
  private async parentCourse(actor: Actor, input: Update): Promise<number | null> {
    const parentId = this.level.parentId(input);
    if (parentId === undefined) return null;
    const problems = await missingReferences(this.db, this.level.parent.table, [parentId], this.level.parent.field);
    if (problems.length > 0) throw AssayError.invalid(problems);
    const courseId = await this.level.repo.parentCourse(this.db, parentId);
    if (!(await canManageCourse(this.db, actor, courseId))) throw AssayError.forbidden();
    return courseId;
  }

  async create(actor: Actor, input: Create): Promise<Row> {
    await this.parentCourse(actor, input);
    const id = await this.level.repo.insert(this.db, this.level.insertRow(input, this.clock.now()));
    return this.get(actor, id);
  }

  async update(actor: Actor, id: number, input: Update): Promise<Row> {
    const current = await this.get(actor, id);
    if (!(await canManageCourse(this.db, actor, current.course_id))) throw AssayError.forbidden();
    const newCourse = await this.parentCourse(actor, input);
    const patch = this.level.patch(input);
    if (Object.keys(patch).length > 0) {
      await this.db.transaction().execute(async (tx) => {
        await this.level.repo.update(tx, id, patch);
        // Exercises follow their subject or module when it moves to another course.
        if (newCourse !== null && newCourse !== current.course_id) await this.level.repo.moveExercises(tx, id, newCourse);
      });
    }
    return this.get(actor, id);
  }

  /** Visible but not the actor's to change: forbidden. */
  async assertManage(actor: Actor, id: number): Promise<void> {
    const current = await this.get(actor, id);
    if (!(await canManageCourse(this.db, actor, current.course_id))) throw AssayError.forbidden();
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.assertManage(actor, id);
    await this.level.repo.delete(this.db, id);
  }
}
