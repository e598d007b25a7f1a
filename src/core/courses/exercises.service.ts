import type { Db } from '../../db/database.ts';
import type { RowOf, RowPatch } from '../../db/types.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import type { TreeEntry } from '../files/files.repo.ts';
import { jobWallSeconds } from '../grading/job-wall.ts';
import type { FilesService, NewTreeFile } from '../files/files.service.ts';
import type { ExerciseViewer, PatbasPolicy, PreviewType } from './exercise-access.ts';
import { mayDownloadHandout, mayDownloadSolution, maySeeSolution } from './exercise-access.ts';
import type { ExerciseRecord } from './exercises.repo.ts';
import { exercisesRepo } from './exercises.repo.ts';
import { slugify } from './references.ts';
import { coursePolicy } from './policy.ts';
import { canManageCourse, canSee, visibleCourseIds } from './visibility.ts';
import { parseJson, toJson } from '../json-column.ts';

/** The largest id an `integer` column holds; larger numbers name no row (and would upset PostgreSQL). */
export const MAX_ROW_ID = 2_147_483_647;
export const isRowId = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= MAX_ROW_ID;

export interface Exercise {
  id: number;
  course_id: number;
  module_id: number | null;
  slug: string;
  name: string;
  description: string;
  order: string;
  download: boolean;
  preview: PreviewType;
  patbas_preview: PreviewType;
  patbas_download: boolean;
  is_lecture: boolean;
  style: string | null;
  patbas: PatbasPolicy;
  on_creation_data: unknown;
  autocheck_tag: string | null;
  autodone: boolean;
  expected_duration: string | null;
  segel_brief: string;
  handout_tree_id: number | null;
  solution_tree_id: number | null;
  preview_tree_id: number | null;
  patbas_preview_tree_id: number | null;
  start_at: string | null;
  due_at: string | null;
  end_at: string | null;
  max_submissions: number | null;
  created_at: string;
  updated_at: string;
  course_name: string;
  module_name: string | null;
  module_order: string | null;
  subject_id: number | null;
  subject_name: string | null;
  subject_symbol: string | null;
  subject_color: string | null;
  /** Tag names, in tag id order. */
  tags: string[];
}

/** What staff set on an exercise. Undefined keys are left as they are. */
export interface ExerciseInput {
  module_id?: number;
  name?: string;
  description?: string;
  order?: string;
  download?: boolean;
  preview?: PreviewType;
  patbas_preview?: PreviewType;
  patbas_download?: boolean;
  is_lecture?: boolean;
  style?: string | null;
  patbas?: PatbasPolicy;
  on_creation_data?: unknown;
  autocheck_tag?: string | null;
  autodone?: boolean;
  expected_duration?: string | null;
  segel_brief?: string;
  /** Tag names; each must exist. */
  tags?: string[];
}

export interface ExerciseFilters {
  id?: number;
  moduleId?: number;
  subjectId?: number;
  courseIds?: number[];
  /** Exercises a queue's items reference: exercise items, and module items (limited to the item's tags when it has some). */
  queueId?: number;
  /** Exercises carrying any of these tags. */
  tagIds?: number[];
}

/** The four file trees of an exercise. */
export type ExerciseTreeKind = 'handout' | 'solution' | 'preview' | 'patbas_preview';
export const EXERCISE_TREE_KINDS = ['handout', 'solution', 'preview', 'patbas_preview'] as const;
const TREE_COLUMN = {
  handout: 'handout_tree_id',
  solution: 'solution_tree_id',
  preview: 'preview_tree_id',
  patbas_preview: 'patbas_preview_tree_id',
} as const satisfies Record<ExerciseTreeKind, keyof RowOf<'exercises'>>;

export interface TreeListing {
  path: string;
  size: number;
  sha256: string;
  md5: string;
}

/** Exercises: the tasks inside a module, with their handout, solution and preview files. */
/** An exercise as handing in sees it (see forSubmission). */
export interface HandinTarget extends Pick<Exercise, 'id' | 'course_id' | 'name' | 'max_submissions'> {
  /** Checkers, staff, admins and the course's instructors: no submission limit applies. */
  staffSide: boolean;
  /** How long a grading job of this exercise may run (twice the wall limit when the reference solution runs first); null without a grader. */
  gradingWallSeconds: number | null;
}

export class ExercisesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly files: FilesService,
  ) {}

  private async withTags(rows: ExerciseRecord[]): Promise<Exercise[]> {
    const names = await exercisesRepo.tagNames(this.db, rows.map((r) => r.id));
    return rows.map((r) => ({
      ...r,
      preview: r.preview as PreviewType,
      patbas_preview: r.patbas_preview as PreviewType,
      patbas: r.patbas as PatbasPolicy,
      on_creation_data: parseJson(r.on_creation_data),
      tags: names.get(r.id) ?? [],
    }));
  }

  async list(actor: Actor, filters: ExerciseFilters = {}): Promise<Exercise[]> {
    const visible = await visibleCourseIds(this.db, actor);
    const nothing = (n: number | undefined) => n !== undefined && !isRowId(n);
    if (nothing(filters.id) || nothing(filters.moduleId) || nothing(filters.subjectId) || nothing(filters.queueId)) return [];
    const courseIds = filters.courseIds?.filter(isRowId);
    const tagIds = filters.tagIds?.filter(isRowId);
    if (courseIds?.length === 0 || tagIds?.length === 0) return [];

    const { id, moduleId, subjectId, queueId } = filters;
    return this.withTags(
      await exercisesRepo.list(this.db, {
        visible,
        ...(id !== undefined ? { id } : {}),
        ...(moduleId !== undefined ? { moduleId } : {}),
        ...(subjectId !== undefined ? { subjectId } : {}),
        ...(courseIds ? { courseIds } : {}),
        ...(tagIds ? { tagIds } : {}),
        ...(queueId !== undefined ? { queueId } : {}),
      }),
    );
  }

  /** An exercise the actor may see, else not found. */
  async get(actor: Actor, id: number): Promise<Exercise> {
    if (!isRowId(id)) throw AssayError.notFound();
    const row = await exercisesRepo.byId(this.db, id);
    if (!row || !canSee(await visibleCourseIds(this.db, actor), row.course_id)) throw AssayError.notFound();
    return (await this.withTags([row]))[0]!;
  }

  /**
   * Exercises by id with no visibility check, for nesting inside an object the caller already
   * may see (a help thread's `for_exercise`). Unknown ids are missing from the map.
   */
  async byIds(ids: number[]): Promise<Map<number, Exercise>> {
    const wanted = [...new Set(ids)].filter(isRowId);
    const out = new Map<number, Exercise>();
    for (const e of await this.withTags(await exercisesRepo.byIds(this.db, wanted))) out.set(e.id, e);
    return out;
  }

  /**
   * What handing in needs of an exercise the actor may see, in one query (submitting is the hot
   * path): the row, whether the actor is on the grading side of its course, and its grader's wall
   * limit. Else not found.
   */
  async forSubmission(actor: Actor, id: number): Promise<HandinTarget> {
    if (!isRowId(id)) throw AssayError.notFound();
    const row = await exercisesRepo.forSubmission(this.db, id, actor.id);
    if (!row) throw AssayError.notFound();
    // The rules of visibleCourseIds and isStaffSide, for this one course.
    const visible = coursePolicy.managesEveryCourse(actor) || row.role !== null || (coursePolicy.onStaffSide(actor) && row.checker_id === actor.id);
    if (!visible) throw AssayError.notFound();
    const staffSide = coursePolicy.onStaffSide(actor) || row.role === 'instructor';
    const gradingWallSeconds = row.wall_seconds === null ? null : jobWallSeconds(row.wall_seconds, Boolean(row.check_solution));
    return { id: row.id, course_id: row.course_id, name: row.name, max_submissions: row.max_submissions, staffSide, gradingWallSeconds };
  }

  /** The exercise, when the actor may change it: not found if invisible, forbidden if only visible. */
  async getForWrite(actor: Actor, id: number): Promise<Exercise> {
    const exercise = await this.get(actor, id);
    if (!(await canManageCourse(this.db, actor, exercise.course_id))) throw AssayError.forbidden();
    return exercise;
  }

  /** Checkers, staff, admins and the course's instructors: the side that grades. */
  async isStaffSide(actor: Actor, exercise: Pick<Exercise, 'course_id'>): Promise<boolean> {
    return coursePolicy.onStaffSide(actor) || canManageCourse(this.db, actor, exercise.course_id);
  }

  /** How the rules of exercise-access.ts see this actor on this exercise. */
  async viewer(actor: Actor, exercise: Pick<Exercise, 'id' | 'course_id'>): Promise<ExerciseViewer> {
    if (await this.isStaffSide(actor, exercise)) return { staffSide: true, done: false };
    return { staffSide: false, done: await exercisesRepo.doneBy(this.db, exercise.id, actor.id) };
  }

  /** Checks the module and tag references; returns the module's course and the tag ids. */
  private async resolveReferences(input: ExerciseInput): Promise<{ courseId: number | null; tagIds: number[] | null }> {
    const problems: FieldProblem[] = [];
    let courseId: number | null = null;
    if (input.module_id !== undefined) {
      const moduleCourse = isRowId(input.module_id) ? await exercisesRepo.moduleCourse(this.db, input.module_id) : undefined;
      if (moduleCourse !== undefined) courseId = moduleCourse;
      else problems.push(doesNotExist('parent_module', input.module_id));
    }
    let tagIds: number[] | null = null;
    if (input.tags !== undefined) {
      const wanted = [...new Set(input.tags)];
      const found = await exercisesRepo.tagsByName(this.db, wanted);
      const byName = new Map(found.map((t) => [t.name, t.id]));
      for (const name of wanted) {
        if (!byName.has(name)) problems.push({ field: 'tags', code: 'does_not_exist', message: `Object with name=${name} does not exist.` });
      }
      tagIds = wanted.flatMap((name) => (byName.has(name) ? [byName.get(name)!] : []));
    }
    if (problems.length > 0) throw AssayError.invalid(problems);
    return { courseId, tagIds };
  }

  private async uniqueSlug(db: Db, courseId: number, wanted: string, selfId: number | null): Promise<string> {
    const base = slugify(wanted);
    for (let i = 1; ; i++) {
      const slug = i === 1 ? base : `${base}-${i}`;
      const other = await exercisesRepo.idBySlug(db, courseId, slug);
      if (other === undefined || other === selfId) return slug;
    }
  }

  private columns(input: ExerciseInput): RowPatch<'exercises'> {
    const { tags: _tags, on_creation_data, ...rest } = input;
    const patch: RowPatch<'exercises'> = { ...rest };
    if (on_creation_data !== undefined) patch.on_creation_data = toJson(on_creation_data);
    return patch;
  }

  async create(actor: Actor, input: ExerciseInput & { module_id: number; name: string }): Promise<Exercise> {
    const { courseId, tagIds } = await this.resolveReferences(input);
    if (!(await canManageCourse(this.db, actor, courseId!))) throw AssayError.forbidden();
    const now = this.clock.now();
    const id = await this.db.transaction().execute(async (tx) => {
      const id = await exercisesRepo.insert(tx, {
        ...this.columns(input),
        name: input.name,
        course_id: courseId!,
        slug: await this.uniqueSlug(tx, courseId!, input.name, null),
        created_at: now,
        updated_at: now,
      });
      await exercisesRepo.setTags(tx, id, tagIds ?? []);
      return id;
    });
    return this.get(actor, id);
  }

  /** The slug stays as it is when the name changes (other dialects address exercises by slug). */
  async update(actor: Actor, id: number, input: ExerciseInput): Promise<Exercise> {
    const current = await this.getForWrite(actor, id);
    const { courseId, tagIds } = await this.resolveReferences(input);
    if (courseId !== null && courseId !== current.course_id && !(await canManageCourse(this.db, actor, courseId))) throw AssayError.forbidden();
    await this.db.transaction().execute(async (tx) => {
      const patch: RowPatch<'exercises'> = { ...this.columns(input), updated_at: this.clock.now() };
      if (courseId !== null && courseId !== current.course_id) {
        patch.course_id = courseId;
        patch.slug = await this.uniqueSlug(tx, courseId, current.slug, id);
      }
      await exercisesRepo.update(tx, id, patch);
      if (tagIds !== null) await exercisesRepo.setTags(tx, id, tagIds);
    });
    return this.get(actor, id);
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.getForWrite(actor, id);
    await exercisesRepo.delete(this.db, id);
  }

  // ---- files ----

  /** Tree paths must form a real directory tree: no duplicate path, no file that is also a directory. */
  private checkTreeShape(paths: string[]): void {
    this.files.validatePaths(paths);
    const problems: FieldProblem[] = [];
    const seen = new Set<string>();
    const dirs = new Set<string>();
    for (const p of paths) {
      const parts = p.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    paths.forEach((p, i) => {
      if (seen.has(p)) problems.push({ field: `files.${i}.path`, code: 'unique', message: `Duplicate path "${p}".` });
      else if (dirs.has(p)) problems.push({ field: `files.${i}.path`, code: 'invalid_path', message: `Illegal path "${p}": it is also a directory.` });
      seen.add(p);
    });
    if (problems.length > 0) throw AssayError.invalid(problems);
  }

  /** Replaces one file tree of the exercise at once: a new tree, then the exercise points at it. The old tree is left to `gc`. */
  async replaceTree(actor: Actor, id: number, kind: ExerciseTreeKind, files: NewTreeFile[]): Promise<TreeListing[]> {
    await this.getForWrite(actor, id);
    this.checkTreeShape(files.map((f) => f.path));
    await this.db.transaction().execute(async (tx) => {
      const treeId = await this.files.createTree(files, tx);
      await exercisesRepo.update(tx, id, { [TREE_COLUMN[kind]]: treeId, updated_at: this.clock.now() });
    });
    return this.listTree(actor, id, kind);
  }

  async clearTree(actor: Actor, id: number, kind: ExerciseTreeKind): Promise<void> {
    await this.getForWrite(actor, id);
    await exercisesRepo.update(this.db, id, { [TREE_COLUMN[kind]]: null, updated_at: this.clock.now() });
  }

  /** Every entry of one tree, for the people who manage the exercise; [] when there is none. */
  async listTree(actor: Actor, id: number, kind: ExerciseTreeKind): Promise<TreeListing[]> {
    const exercise = await this.getForWrite(actor, id);
    const treeId = exercise[TREE_COLUMN[kind]];
    if (treeId === null) return [];
    return (await this.files.treeEntries(treeId)).map((e) => ({ path: e.path, size: e.size, sha256: e.blob, md5: e.md5 }));
  }

  /** The starter files to download as a zip: forbidden to students when downloading is off, not found when there are none. */
  async handoutTree(actor: Actor, id: number): Promise<{ exercise: Exercise; treeId: number }> {
    const exercise = await this.get(actor, id);
    if (!mayDownloadHandout(await this.viewer(actor, exercise), exercise)) throw AssayError.forbidden();
    return { exercise, treeId: await this.nonEmptyTree(exercise.handout_tree_id) };
  }

  /** The school solution (PATBAS) to download as a zip, under the exercise's Patbas policy. */
  async solutionTree(actor: Actor, id: number): Promise<{ exercise: Exercise; treeId: number }> {
    const exercise = await this.get(actor, id);
    if (!mayDownloadSolution(await this.viewer(actor, exercise), exercise)) throw AssayError.forbidden();
    return { exercise, treeId: await this.nonEmptyTree(exercise.solution_tree_id) };
  }

  /**
   * One preview file: without `asset` the main one (`preview.pdf`, else the first entry), with it
   * the entry at that path. Not found when the preview is `Disabled` or the file is missing; the
   * solution's preview also follows the Patbas policy.
   */
  async previewFile(actor: Actor, id: number, which: 'preview' | 'patbas_preview', asset?: string): Promise<{ exercise: Exercise; entry: TreeEntry }> {
    const exercise = await this.get(actor, id);
    if (which === 'patbas_preview' && !maySeeSolution(await this.viewer(actor, exercise), exercise)) throw AssayError.forbidden();
    const treeId = which === 'preview' ? exercise.preview_tree_id : exercise.patbas_preview_tree_id;
    if (exercise[which] === 'Disabled' || treeId === null) throw AssayError.notFound();
    const entries = await this.files.treeEntries(treeId);
    const entry = asset ? entries.find((e) => e.path === asset) : (entries.find((e) => e.path === 'preview.pdf') ?? entries[0]);
    if (!entry) throw AssayError.notFound();
    return { exercise, entry };
  }

  private async nonEmptyTree(treeId: number | null): Promise<number> {
    if (treeId === null || (await this.files.treeEntries(treeId)).length === 0) throw AssayError.notFound();
    return treeId;
  }
}
