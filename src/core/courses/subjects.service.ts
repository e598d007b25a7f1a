import type { Db } from '../../db/database.ts';
import type { RowPatch } from '../../db/types.ts';
import type { Actor } from '../actor.ts';
import { compact } from '../compact.ts';
import { AssayError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { missingReferences } from './references.ts';
import { canManageCourse, visibleCourseIds } from './visibility.ts';

export interface Subject {
  id: number;
  course_id: number;
  symbol: string;
  name: string;
  color: string;
  /** Staff notes (Hive's `segel_brief`). */
  segel_brief: string;
  course_name: string;
}

export interface SubjectInput {
  course_id?: number;
  symbol?: string;
  name?: string;
  color?: string;
  segel_brief?: string;
}

/** Subjects: the first curriculum level inside a course. */
export class SubjectsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private query() {
    return this.db
      .selectFrom('subjects')
      .innerJoin('courses', 'courses.id', 'subjects.course_id')
      .select(['subjects.id', 'subjects.course_id', 'subjects.symbol', 'subjects.name', 'subjects.color', 'subjects.segel_brief', 'courses.name as course_name']);
  }

  async list(actor: Actor, filters: { courseIds?: number[] } = {}): Promise<Subject[]> {
    const visible = await visibleCourseIds(this.db, actor);
    let q = this.query();
    if (visible !== null) q = visible.length > 0 ? q.where('subjects.course_id', 'in', visible) : q.where((eb) => eb.val(false));
    if (filters.courseIds) q = q.where('subjects.course_id', 'in', filters.courseIds);
    return q.orderBy('subjects.id').execute();
  }

  async get(actor: Actor, id: number): Promise<Subject> {
    const row = await this.query().where('subjects.id', '=', id).executeTakeFirst();
    const visible = await visibleCourseIds(this.db, actor);
    if (!row || (visible !== null && !visible.includes(row.course_id))) throw AssayError.notFound();
    return row;
  }

  private async checkCourse(actor: Actor, courseId: number | undefined): Promise<void> {
    if (courseId === undefined) return;
    const problems = await missingReferences(this.db, 'courses', [courseId], 'parent_program');
    if (problems.length > 0) throw AssayError.invalid(problems);
    if (!(await canManageCourse(this.db, actor, courseId))) throw AssayError.forbidden();
  }

  async create(actor: Actor, input: Required<Omit<SubjectInput, 'segel_brief'>> & Pick<SubjectInput, 'segel_brief'>): Promise<Subject> {
    await this.checkCourse(actor, input.course_id);
    const row = await this.db
      .insertInto('subjects')
      .values({ course_id: input.course_id, symbol: input.symbol, name: input.name, color: input.color, segel_brief: input.segel_brief ?? '', created_at: this.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return this.get(actor, row.id);
  }

  async update(actor: Actor, id: number, input: SubjectInput): Promise<Subject> {
    const current = await this.get(actor, id);
    if (!(await canManageCourse(this.db, actor, current.course_id))) throw AssayError.forbidden();
    await this.checkCourse(actor, input.course_id);
    const patch: RowPatch<'subjects'> = compact({ course_id: input.course_id, symbol: input.symbol, name: input.name, color: input.color, segel_brief: input.segel_brief });
    if (Object.keys(patch).length > 0) {
      await this.db.transaction().execute(async (tx) => {
        await tx.updateTable('subjects').set(patch).where('id', '=', id).execute();
        // Exercises follow their subject when it moves to another course.
        if (input.course_id !== undefined && input.course_id !== current.course_id) {
          await tx
            .updateTable('exercises')
            .set({ course_id: input.course_id })
            .where('module_id', 'in', (eb) => eb.selectFrom('modules').select('id').where('subject_id', '=', id))
            .execute();
        }
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
    await this.db.deleteFrom('subjects').where('id', '=', id).execute();
  }
}
