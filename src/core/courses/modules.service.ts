import type { Db } from '../../db/database.ts';
import type { RowPatch } from '../../db/types.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { compact } from '../compact.ts';
import { AssayError } from '../errors.ts';
import { missingReferences } from './references.ts';
import { canManageCourse, visibleCourseIds } from './visibility.ts';

export interface Module {
  id: number;
  subject_id: number;
  name: string;
  order: string;
  course_id: number;
  course_name: string;
  subject_name: string;
  subject_symbol: string;
  subject_color: string;
}

export interface ModuleInput {
  subject_id?: number;
  name?: string;
  order?: string;
}

/** Modules: ordered units inside a subject. */
export class ModulesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private query() {
    return this.db
      .selectFrom('modules')
      .innerJoin('subjects', 'subjects.id', 'modules.subject_id')
      .innerJoin('courses', 'courses.id', 'subjects.course_id')
      .select([
        'modules.id',
        'modules.subject_id',
        'modules.name',
        'modules.order',
        'subjects.course_id',
        'courses.name as course_name',
        'subjects.name as subject_name',
        'subjects.symbol as subject_symbol',
        'subjects.color as subject_color',
      ]);
  }

  async list(actor: Actor, filters: { subjectId?: number; courseIds?: number[] } = {}): Promise<Module[]> {
    const visible = await visibleCourseIds(this.db, actor);
    let q = this.query();
    if (visible !== null) q = visible.length > 0 ? q.where('subjects.course_id', 'in', visible) : q.where((eb) => eb.val(false));
    if (filters.subjectId !== undefined) q = q.where('modules.subject_id', '=', filters.subjectId);
    if (filters.courseIds) q = q.where('subjects.course_id', 'in', filters.courseIds);
    return q.orderBy('modules.id').execute();
  }

  async get(actor: Actor, id: number): Promise<Module> {
    const row = await this.query().where('modules.id', '=', id).executeTakeFirst();
    const visible = await visibleCourseIds(this.db, actor);
    if (!row || (visible !== null && !visible.includes(row.course_id))) throw AssayError.notFound();
    return row;
  }

  private async subjectCourse(actor: Actor, subjectId: number | undefined): Promise<number | null> {
    if (subjectId === undefined) return null;
    const problems = await missingReferences(this.db, 'subjects', [subjectId], 'parent_subject');
    if (problems.length > 0) throw AssayError.invalid(problems);
    const subject = await this.db.selectFrom('subjects').select('course_id').where('id', '=', subjectId).executeTakeFirstOrThrow();
    if (!(await canManageCourse(this.db, actor, subject.course_id))) throw AssayError.forbidden();
    return subject.course_id;
  }

  async create(actor: Actor, input: Required<ModuleInput>): Promise<Module> {
    await this.subjectCourse(actor, input.subject_id);
    const row = await this.db
      .insertInto('modules')
      .values({ subject_id: input.subject_id, name: input.name, order: input.order, created_at: this.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return this.get(actor, row.id);
  }

  async update(actor: Actor, id: number, input: ModuleInput): Promise<Module> {
    const current = await this.get(actor, id);
    if (!(await canManageCourse(this.db, actor, current.course_id))) throw AssayError.forbidden();
    const newCourse = await this.subjectCourse(actor, input.subject_id);
    const patch: RowPatch<'modules'> = compact({ subject_id: input.subject_id, name: input.name, order: input.order });
    if (Object.keys(patch).length > 0) {
      await this.db.transaction().execute(async (tx) => {
        await tx.updateTable('modules').set(patch).where('id', '=', id).execute();
        if (newCourse !== null && newCourse !== current.course_id) {
          await tx.updateTable('exercises').set({ course_id: newCourse }).where('module_id', '=', id).execute();
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
    await this.db.deleteFrom('modules').where('id', '=', id).execute();
  }
}
