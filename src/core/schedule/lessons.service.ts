import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { compact } from '../compact.ts';
import { AssayError } from '../errors.ts';
import { missingReferences } from '../courses/references.ts';
import { visibleCourseIds } from '../courses/visibility.ts';
import { schedulePolicy } from './policy.ts';
import { lessonsRepo } from './lessons.repo.ts';
import type { LessonRow } from './lessons.repo.ts';

export type Lesson = LessonRow;

export interface LessonInput {
  name?: string;
  module_id?: number;
  description?: string | null;
}

/** Lessons: a named teaching unit tied to a module; its rules give students queues. Checkers read, staff write. */
export class LessonsService {
  constructor(private readonly db: Db) {}

  async list(actor: Actor, filters: { moduleId?: number; courseIds?: number[] } = {}): Promise<Lesson[]> {
    return lessonsRepo.list(this.db, { ...filters, visible: await visibleCourseIds(this.db, actor) });
  }

  async get(actor: Actor, id: number): Promise<Lesson> {
    const [row] = await lessonsRepo.list(this.db, { visible: null, id });
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
    const id = await lessonsRepo.insert(this.db, { name: input.name, module_id: input.module_id, description: input.description ?? null });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: number, input: LessonInput): Promise<Lesson> {
    await this.get(actor, id);
    this.assertWriter(actor);
    await this.checkModule(input.module_id);
    const patch = compact({ name: input.name, module_id: input.module_id, description: input.description });
    if (Object.keys(patch).length > 0) await lessonsRepo.update(this.db, id, patch);
    return this.get(actor, id);
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.get(actor, id);
    this.assertWriter(actor);
    await lessonsRepo.delete(this.db, id);
  }
}
