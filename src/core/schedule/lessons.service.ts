import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { compact } from '../compact.ts';
import { AssayError } from '../errors.ts';
import { missingReferences } from '../courses/references.ts';
import { visibleCourseIds } from '../courses/visibility.ts';
import { schedulePolicy } from './policy.ts';

export interface Lesson {
  id: number;
  name: string;
  module_id: number;
  description: string | null;
  module_order: string;
  module_name: string;
  subject_symbol: string;
  subject_name: string;
  program_name: string;
  course_id: number;
}

export interface LessonInput {
  name?: string;
  module_id?: number;
  description?: string | null;
}

/** Lessons: a named teaching unit tied to a module; its rules give students queues. Checkers read, staff write. */
export class LessonsService {
  constructor(private readonly db: Db) {}

  private query() {
    return this.db
      .selectFrom('lessons')
      .innerJoin('modules', 'modules.id', 'lessons.module_id')
      .innerJoin('subjects', 'subjects.id', 'modules.subject_id')
      .innerJoin('courses', 'courses.id', 'subjects.course_id')
      .select([
        'lessons.id',
        'lessons.name',
        'lessons.module_id',
        'lessons.description',
        'modules.order as module_order',
        'modules.name as module_name',
        'subjects.symbol as subject_symbol',
        'subjects.name as subject_name',
        'courses.name as program_name',
        'subjects.course_id',
      ]);
  }

  async list(actor: Actor, filters: { moduleId?: number; courseIds?: number[] } = {}): Promise<Lesson[]> {
    const visible = await visibleCourseIds(this.db, actor);
    let q = this.query();
    if (visible !== null) q = visible.length > 0 ? q.where('subjects.course_id', 'in', visible) : q.where((eb) => eb.val(false));
    if (filters.moduleId !== undefined) q = q.where('lessons.module_id', '=', filters.moduleId);
    if (filters.courseIds) q = q.where('subjects.course_id', 'in', filters.courseIds);
    return q.orderBy('lessons.id').execute();
  }

  async get(actor: Actor, id: number): Promise<Lesson> {
    const row = await this.query().where('lessons.id', '=', id).executeTakeFirst();
    const visible = await visibleCourseIds(this.db, actor);
    if (!row || (visible !== null && !visible.includes(row.course_id))) throw AssayError.notFound();
    return row;
  }

  assertWriter(actor: Actor): void {
    if (!schedulePolicy.mayPlan(actor)) throw AssayError.forbidden();
  }

  private async checkModule(moduleId: number | undefined): Promise<void> {
    const problems = await missingReferences(this.db, 'modules', [moduleId], 'module');
    if (problems.length > 0) throw AssayError.invalid(problems);
  }

  async create(actor: Actor, input: LessonInput & { name: string; module_id: number }): Promise<Lesson> {
    this.assertWriter(actor);
    await this.checkModule(input.module_id);
    const row = await this.db
      .insertInto('lessons')
      .values({ name: input.name, module_id: input.module_id, description: input.description ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return this.get(actor, row.id);
  }

  async update(actor: Actor, id: number, input: LessonInput): Promise<Lesson> {
    await this.get(actor, id);
    this.assertWriter(actor);
    await this.checkModule(input.module_id);
    const patch = compact({ name: input.name, module_id: input.module_id, description: input.description });
    if (Object.keys(patch).length > 0) await this.db.updateTable('lessons').set(patch).where('id', '=', id).execute();
    return this.get(actor, id);
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.get(actor, id);
    this.assertWriter(actor);
    await this.db.deleteFrom('lessons').where('id', '=', id).execute();
  }
}
