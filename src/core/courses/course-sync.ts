import fs from 'node:fs';
import path from 'node:path';
import type { StoredBlob } from '../../blobs/store.ts';
import type { Db } from '../../db/database.ts';
import type { RowOf } from '../../db/types.ts';
import { Clearance } from '../actor.ts';
import { isAssayError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { CoursePlan, CourseDirectory, ExercisePlan, FieldPlan, PlannedFile } from './course-directory.ts';
import { readCourseDirectory, ROSTER_FILE, syncProblemsError, TREE_FOLDERS } from './course-directory.ts';
import type { RosterRowResult } from '../enrolment/enrolment.service.ts';
import { contractWarnings } from '../../grading/results/contract.ts';
import { AUTOCHECK_FIELD } from '../assignments/autocheck-report.ts';
import { usersRepo } from '../identity/users.repo.ts';
import { courseSyncRepo } from './course-sync.repo.ts';
import { coursesRepo } from './courses.repo.ts';
import { exercisesRepo } from './exercises.repo.ts';
import { fieldsRepo } from './fields.repo.ts';

/**
 * `assay course sync DIR`: makes the database hold what a course directory describes. Trusted
 * (the command line runs it with the database's own rights).
 *
 * - Everything is read and checked first (course-directory.ts); any problem stops the sync
 *   before anything is written.
 * - Then the files are stored as blobs (content-addressed: storing them again changes nothing,
 *   and `gc` removes them if the sync goes no further), and then every row is written in one
 *   transaction.
 * - Rows are matched by course slug, subject symbol, module name, exercise slug, field name and
 *   problem name; a row is written only when it differs, and a file tree is replaced only when
 *   its paths or contents differ, so a second run changes nothing.
 * - The directory is the whole truth about each exercise's settings, tags, problems, grader and
 *   file trees (a key or folder left out means its default, or none). Rows that hold or lead to
 *   students' work (subjects, modules, exercises, fields) are never deleted: those the
 *   directory no longer names are left as they are and reported as warnings.
 */

export const SYNC_KINDS = ['courses', 'subjects', 'modules', 'exercises', 'fields', 'problems', 'graders', 'tags'] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface SyncReport {
  courseId: number;
  slug: string;
  counts: Record<SyncKind, SyncCounts>;
  /** What each row of roster.csv did (new accounts with their one-time passwords); empty without one. */
  members: RosterRowResult[];
  /** Every exercise of the directory, in its order, with its id. */
  exercises: { id: number; slug: string; name: string }[];
  /** Rows the directory does not name, left as they are, and grading contract mismatches. */
  warnings: string[];
  /** Whether anything was written. */
  changed: boolean;
}

export type SyncDeps = Pick<Services, 'db' | 'clock' | 'files' | 'graders' | 'problems' | 'config' | 'enrolment'>;

type Tx = Db;
type Blobs = Map<string, StoredBlob>;

const EXERCISE_TREE_COLUMNS = {
  handout: 'handout_tree_id',
  solution: 'solution_tree_id',
  preview: 'preview_tree_id',
  patbas_preview: 'patbas_preview_tree_id',
} as const;

const jsonText = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));
const sameJson = (stored: string | null, wanted: unknown): boolean => {
  if (stored === null) return wanted === null || wanted === undefined;
  try {
    return JSON.stringify(JSON.parse(stored)) === jsonText(wanted);
  } catch {
    return false;
  }
};

/** The keys of `wanted` whose values differ from `row` (plain values: text, numbers, booleans, null). */
function differs(row: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
  return Object.entries(wanted).some(([k, v]) => row[k] !== v);
}

async function resolveChecker(db: Db, course: CoursePlan): Promise<number | null> {
  if (course.checker === null) {
    return (await courseSyncRepo.firstAdmin(db)) ?? null;
  }
  const user = await usersRepo.byUsername(db, course.checker);
  if (!user) throw syncProblemsError([{ file: 'course.yaml', key: 'checker', message: `no user named "${course.checker}"` }]);
  if (user.clearance < Clearance.checker) {
    throw syncProblemsError([{ file: 'course.yaml', key: 'checker', message: `"${course.checker}" is a student; the checker needs clearance 2 or more` }]);
  }
  return user.id;
}

/** Stores every file of every tree (each source once). */
async function storeFiles(deps: SyncDeps, dir: CourseDirectory): Promise<Blobs> {
  const blobs: Blobs = new Map();
  for (const exercise of dir.exercises) {
    for (const folder of TREE_FOLDERS) {
      for (const file of exercise.trees[folder] ?? []) {
        if (blobs.has(file.source)) continue;
        try {
          blobs.set(file.source, await deps.files.store(fs.createReadStream(file.source), deps.config.maxUploadBytes));
        } catch (err) {
          const where = path.relative(dir.root, file.source).split(path.sep).join('/');
          const message = isAssayError(err) && err.kind === 'too_large' ? `is over the upload limit of ${deps.config.maxUploadBytes} bytes` : `cannot be read (${(err as Error).message})`;
          throw syncProblemsError([{ file: where, key: null, message }]);
        }
      }
    }
  }
  return blobs;
}

const zero = (): SyncCounts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0 });

/**
 * Reads, checks and applies a course directory; see the comment at the top of this file.
 * `slug`: the course the directory must describe (else a problem on course.yaml's slug).
 */
export async function syncCourseDirectory(deps: SyncDeps, dir: string, options: { slug?: string } = {}): Promise<SyncReport> {
  const plan = await readCourseDirectory(dir, { maxFileBytes: deps.config.maxUploadBytes, ...options });
  const checkerId = await resolveChecker(deps.db, plan.course);
  const roster = plan.roster === null ? [] : await checkRoster(deps, plan.course.slug, plan.roster);
  const blobs = await storeFiles(deps, plan);
  const counts = Object.fromEntries(SYNC_KINDS.map((k) => [k, zero()])) as Record<SyncKind, SyncCounts>;
  const warnings: string[] = [];
  const exercises: SyncReport['exercises'] = [];
  const writer = new SyncWriter(deps, blobs, counts, warnings, deps.clock.now(), exercises);
  const courseId = await deps.db.transaction().execute(async (tx) => {
    const id = await writer.course(tx, plan.course, checkerId);
    const modules = await writer.subjectsAndModules(tx, id, plan.course);
    const tags = await writer.tags(tx, plan.exercises);
    await writer.exercises(tx, id, plan.exercises, modules, tags);
    await deps.enrolment.applyRoster(tx, id, roster);
    return id;
  });
  const members = roster.map(({ row, password }) => ({ line: row.line, username: row.username, role: row.role, action: row.action, ...(password ? { password } : {}) }));
  const changed = SYNC_KINDS.some((k) => counts[k].created + counts[k].updated + counts[k].deleted > 0) || members.some((m) => m.action !== 'unchanged');
  return { courseId, slug: plan.course.slug, counts, members, exercises, warnings, changed };
}

/** roster.csv checked as an import through the API is (every bad row a problem), with new accounts' passwords made ahead. */
async function checkRoster(deps: SyncDeps, slug: string, text: string) {
  const course = await courseSyncRepo.courseBySlug(deps.db, slug);
  const plan = await deps.enrolment.planRoster(deps.db, course?.id ?? null, text);
  if (plan.problems.length > 0) {
    throw syncProblemsError(plan.problems.map((p) => ({ file: ROSTER_FILE, key: `line ${p.line}${p.column ? `, ${p.column}` : ''}`, message: p.message })));
  }
  return deps.enrolment.hashPasswords(plan.rows);
}

/** The writes of one sync, inside its transaction. */
class SyncWriter {
  constructor(
    private readonly deps: SyncDeps,
    private readonly blobs: Blobs,
    private readonly counts: Record<SyncKind, SyncCounts>,
    private readonly warnings: string[],
    private readonly now: string,
    private readonly synced: SyncReport['exercises'],
  ) {}

  async course(tx: Tx, c: CoursePlan, checkerId: number | null): Promise<number> {
    const wanted = {
      name: c.name,
      semester: c.semester,
      description: c.description,
      checker_id: checkerId,
      start_at: c.start_at,
      end_at: c.end_at,
      // Left out when course.yaml does not give them: Assay's API may have set them.
      ...(c.grace_days !== null ? { grace_days: c.grace_days } : {}),
      ...(c.late_slack !== null ? { late_slack: c.late_slack } : {}),
    };
    const row = await courseSyncRepo.courseBySlug(tx, c.slug);
    if (!row) {
      const created = await coursesRepo.create(tx, { ...wanted, slug: c.slug, created_at: this.now });
      this.counts.courses.created++;
      return created;
    }
    if (differs(row, wanted)) {
      await courseSyncRepo.updateCourse(tx, row.id, wanted);
      this.counts.courses.updated++;
    } else this.counts.courses.unchanged++;
    return row.id;
  }

  /** Upserts subjects and modules; answers module ids by `<symbol>/<name>`. */
  async subjectsAndModules(tx: Tx, courseId: number, c: CoursePlan): Promise<Map<string, number>> {
    const subjects = await courseSyncRepo.subjectsOf(tx, courseId);
    const bySymbol = new Map<string, RowOf<'subjects'>>();
    for (const s of subjects) if (!bySymbol.has(s.symbol)) bySymbol.set(s.symbol, s);
    const moduleIds = new Map<string, number>();
    for (const s of c.subjects) {
      const wanted = { name: s.name, color: s.color };
      let subjectId: number;
      const row = bySymbol.get(s.symbol);
      bySymbol.delete(s.symbol);
      if (!row) {
        subjectId = await courseSyncRepo.insertSubject(tx, { ...wanted, course_id: courseId, symbol: s.symbol, created_at: this.now });
        this.counts.subjects.created++;
      } else {
        subjectId = row.id;
        if (differs(row, wanted)) {
          await courseSyncRepo.updateSubject(tx, row.id, wanted);
          this.counts.subjects.updated++;
        } else this.counts.subjects.unchanged++;
      }
      const modules = await courseSyncRepo.modulesOf(tx, subjectId);
      const byName = new Map<string, RowOf<'modules'>>();
      for (const m of modules) if (!byName.has(m.name)) byName.set(m.name, m);
      for (const m of s.modules) {
        const existing = byName.get(m.name);
        byName.delete(m.name);
        let id: number;
        if (!existing) {
          id = await courseSyncRepo.insertModule(tx, { subject_id: subjectId, name: m.name, order: m.order, created_at: this.now });
          this.counts.modules.created++;
        } else {
          id = existing.id;
          if (existing.order !== m.order) {
            await courseSyncRepo.updateModule(tx, id, { order: m.order });
            this.counts.modules.updated++;
          } else this.counts.modules.unchanged++;
        }
        moduleIds.set(`${s.symbol}/${m.name}`, id);
      }
      for (const m of byName.values()) this.warnings.push(`module "${s.symbol}/${m.name}" (id ${m.id}) is not in course.yaml; left as it is`);
    }
    for (const s of bySymbol.values()) this.warnings.push(`subject "${s.symbol}" (id ${s.id}) is not in course.yaml; left as it is`);
    return moduleIds;
  }

  /** Creates the tags the exercises name that do not exist yet; answers ids by name. */
  async tags(tx: Tx, exercises: ExercisePlan[]): Promise<Map<string, number>> {
    const names = [...new Set(exercises.flatMap((e) => e.tags))];
    const ids = new Map<string, number>();
    if (names.length === 0) return ids;
    for (const t of await exercisesRepo.tagsByName(tx, names)) ids.set(t.name, t.id);
    for (const name of names) {
      if (ids.has(name)) {
        this.counts.tags.unchanged++;
        continue;
      }
      ids.set(name, await courseSyncRepo.insertTag(tx, name));
      this.counts.tags.created++;
    }
    return ids;
  }

  /** The tree to point at: the current one when it already holds exactly these files, else a new one. */
  private async tree(tx: Tx, currentId: number | null, wanted: PlannedFile[] | null): Promise<number | null> {
    if (!wanted) return null;
    const files = wanted.map((f) => ({ path: f.path, blob: this.blobs.get(f.source)! }));
    if (currentId !== null) {
      const entries = await this.deps.files.treeEntries(currentId, tx);
      if (entries.length === files.length && entries.every((e, i) => e.path === files[i]!.path && e.blob === files[i]!.blob.sha256)) return currentId;
    }
    return this.deps.files.createTree(files, tx);
  }

  async exercises(tx: Tx, courseId: number, plans: ExercisePlan[], moduleIds: Map<string, number>, tagIds: Map<string, number>): Promise<void> {
    const rows = await courseSyncRepo.exercisesOf(tx, courseId);
    const bySlug = new Map(rows.map((r) => [r.slug, r]));
    for (const plan of plans) {
      const row = bySlug.get(plan.slug);
      bySlug.delete(plan.slug);
      const trees = {} as Record<(typeof EXERCISE_TREE_COLUMNS)[keyof typeof EXERCISE_TREE_COLUMNS], number | null>;
      for (const [folder, column] of Object.entries(EXERCISE_TREE_COLUMNS) as [keyof typeof EXERCISE_TREE_COLUMNS, (typeof EXERCISE_TREE_COLUMNS)[keyof typeof EXERCISE_TREE_COLUMNS]][]) {
        trees[column] = await this.tree(tx, row ? row[column] : null, plan.trees[folder]);
      }
      const wanted = { ...plan.columns, module_id: moduleIds.get(`${plan.module.symbol}/${plan.module.name}`)!, ...trees };
      const wantedTags = plan.tags.map((t) => tagIds.get(t)!).sort((a, b) => a - b);
      let exerciseId: number;
      if (!row) {
        exerciseId = await exercisesRepo.insert(tx, { ...wanted, course_id: courseId, slug: plan.slug, created_at: this.now, updated_at: this.now });
        await exercisesRepo.setTags(tx, exerciseId, wantedTags);
        this.counts.exercises.created++;
      } else {
        exerciseId = row.id;
        const currentTags = await courseSyncRepo.tagIdsOf(tx, exerciseId);
        const tagsDiffer = JSON.stringify(currentTags) !== JSON.stringify(wantedTags);
        if (differs(row, wanted) || tagsDiffer) {
          await exercisesRepo.update(tx, exerciseId, { ...wanted, updated_at: this.now });
          if (tagsDiffer) await exercisesRepo.setTags(tx, exerciseId, wantedTags);
          this.counts.exercises.updated++;
        } else this.counts.exercises.unchanged++;
      }
      this.synced.push({ id: exerciseId, slug: plan.slug, name: plan.columns.name });
      await this.fields(tx, exerciseId, plan);
      const problems = await this.deps.problems.replaceTrusted(tx, exerciseId, plan.problems);
      for (const k of ['created', 'updated', 'unchanged', 'deleted'] as const) this.counts.problems[k] += problems[k];
      await this.grader(tx, exerciseId, plan);
      if (plan.grader && plan.tests) {
        const broken = contractWarnings(plan.tests, plan.problems.map((p) => p.name), 'grader.tests');
        for (const w of broken) this.warnings.push(`exercise "${plan.slug}" (${plan.folder}/exercise.yaml): ${w}`);
      }
    }
    for (const r of bySlug.values()) this.warnings.push(`exercise "${r.slug}" (id ${r.id}) is not in the directory; left as it is`);
  }

  private async fields(tx: Tx, exerciseId: number, plan: ExercisePlan): Promise<void> {
    const rows = await courseSyncRepo.fieldsOf(tx, exerciseId);
    const byName = new Map<string, RowOf<'fields'>>();
    for (const r of rows) if (!byName.has(r.name)) byName.set(r.name, r);
    for (const f of plan.fields) {
      const row = byName.get(f.name);
      byName.delete(f.name);
      const { choices, metadata, ...plain } = f satisfies FieldPlan;
      const columns = { ...plain, choices: jsonText(choices), metadata: jsonText(metadata) };
      if (!row) {
        await fieldsRepo.insert(tx, { ...columns, exercise_id: exerciseId, created_at: this.now });
        this.counts.fields.created++;
      } else if (differs(row, plain) || !sameJson(row.choices, choices) || !sameJson(row.metadata, metadata)) {
        await fieldsRepo.update(tx, row.id, columns);
        this.counts.fields.updated++;
      } else this.counts.fields.unchanged++;
    }
    for (const r of byName.values()) {
      // The AutoCheck field is the server's own (made at the first automatic check), not the directory's.
      if (r.name === AUTOCHECK_FIELD.name && !r.hanich_responses) continue;
      this.warnings.push(`field "${r.name}" (id ${r.id}) of exercise "${plan.slug}" is not in ${plan.folder}/exercise.yaml; left as it is (it may hold answers)`);
    }
  }

  private async grader(tx: Tx, exerciseId: number, plan: ExercisePlan): Promise<void> {
    const graders = this.deps.graders;
    if (!plan.grader) {
      if (await graders.deleteTrusted(tx, exerciseId)) this.counts.graders.deleted++;
      return;
    }
    const current = await graders.settingsTrusted(exerciseId, tx);
    const harness = await this.tree(tx, current?.harness_tree_id ?? null, plan.trees.grader);
    this.counts.graders[await graders.upsertTrusted(tx, exerciseId, plan.grader, harness)]++;
  }
}
