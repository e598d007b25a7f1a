import type { Db } from '../../db/database.ts';
import type { RowOf, RowPatch } from '../../db/types.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError } from '../errors.ts';
import { enrol } from '../enrolment/enrolment-writes.ts';
import { missingReferences, slugify } from './references.ts';
import { canManageCourse, canSee, visibleCourseIds } from './visibility.ts';
import { coursesRepo } from './courses.repo.ts';
import { programsRepo } from './programs.repo.ts';

export type Course = RowOf<'courses'>;

/** What staff set on a course (Hive: Program). Undefined keys are left as they are. */
export interface CourseInput {
  name?: string;
  slug?: string;
  semester?: string;
  description?: string;
  checker_id?: number | null;
  default_class_id?: number | null;
  start_at?: string | null;
  end_at?: string | null;
  late_slack?: number;
  grace_days?: number;
  auto_toilet?: boolean;
  hanich_raise_hand?: boolean;
  auto_schedule?: boolean;
  auto_room?: boolean;
  hanich_day_only?: boolean;
  hanich_work_name?: boolean;
  auto_toilet_count?: number;
  hanich_classes_only?: boolean;
  hanich_schedule?: boolean;
}

/** Courses (Hive programs, Autolab/INGInious/ngshare courses, Devilry periods). */
export class ProgramsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor, filters: { ids?: number[] } = {}): Promise<Course[]> {
    return programsRepo.list(this.db, { visible: await visibleCourseIds(this.db, actor), ids: filters.ids });
  }

  /** A course the actor may see, else not found. */
  async get(actor: Actor, id: number): Promise<Course> {
    const row = await programsRepo.byId(this.db, id);
    if (!row || !canSee(await visibleCourseIds(this.db, actor), id)) throw AssayError.notFound();
    return row;
  }

  async assertManage(actor: Actor, id: number): Promise<void> {
    if (!(await canManageCourse(this.db, actor, id))) throw AssayError.forbidden();
  }

  private async validate(input: CourseInput): Promise<void> {
    const problems = [
      ...(await missingReferences(this.db, 'users', [input.checker_id], 'checker')),
      ...(await missingReferences(this.db, 'classes', [input.default_class_id], 'default_class')),
    ];
    if (problems.length > 0) throw AssayError.invalid(problems);
  }

  private async uniqueSlug(wanted: string, selfId: number | null): Promise<string> {
    const base = slugify(wanted);
    for (let i = 1; ; i++) {
      const slug = i === 1 ? base : `${base}-${i}`;
      const other = await programsRepo.idBySlug(this.db, slug);
      if (!other || other.id === selfId) return slug;
    }
  }

  async create(actor: Actor, input: CourseInput & { name: string }): Promise<Course> {
    if (actor.clearance < Clearance.staff) throw AssayError.forbidden();
    await this.validate(input);
    const { slug, ...rest } = input;
    const id = await coursesRepo.create(this.db, { ...rest, slug: await this.uniqueSlug(slug ?? input.name, null), created_at: this.clock.now() });
    return (await programsRepo.byId(this.db, id))!;
  }

  async update(actor: Actor, id: number, input: CourseInput): Promise<Course> {
    await this.get(actor, id);
    await this.assertManage(actor, id);
    await this.validate(input);
    const patch: RowPatch<'courses'> = { ...input };
    if (input.slug !== undefined) patch.slug = await this.uniqueSlug(input.slug, id);
    if (Object.keys(patch).length > 0) await programsRepo.update(this.db, id, patch);
    return this.get(actor, id);
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.get(actor, id);
    await this.assertManage(actor, id);
    await programsRepo.delete(this.db, id);
  }

  /** Enrols a user in a course with a role (instructor, checker or student). */
  async enroll(actor: Actor, courseId: number, userId: number, role: 'student' | 'checker' | 'instructor'): Promise<void> {
    await this.get(actor, courseId);
    await this.assertManage(actor, courseId);
    await this.db.transaction().execute((tx) => enrol(tx, { by: actor.id, at: this.clock.now() }, { courseId, userId, role }));
  }
}
