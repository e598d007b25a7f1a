import type { Db } from '../../db/database.ts';
import type { RowOf } from '../../db/types.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import type { ExercisesService, TreeListing } from '../courses/exercises.service.ts';
import { isRowId } from '../courses/exercises.service.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError } from '../errors.ts';
import type { FilesService, NewTreeFile } from '../files/files.service.ts';
import { treeShapeProblems } from '../files/tree-shape.ts';
import { typeName } from '../type-name.ts';
import type { GraderRow } from './graders.repo.ts';
import { gradersRepo } from './graders.repo.ts';

/** Which result convention the harness follows (src/grading/results/; `hive`: Hive autochecks). */
export const GRADER_CONVENTIONS = ['native', 'autolab', 'inginious', 'hive'] as const;
export type GraderConvention = (typeof GRADER_CONVENTIONS)[number];

export interface GraderLimits {
  wall_seconds: number;
  cpu_seconds: number;
  memory_mb: number;
  processes: number;
  output_bytes: number;
  file_size_mb: number;
}
export const GRADER_LIMIT_KEYS = ['wall_seconds', 'cpu_seconds', 'memory_mb', 'processes', 'output_bytes', 'file_size_mb'] as const;

export const DEFAULT_GRADER_LIMITS: Readonly<GraderLimits> = Object.freeze({
  wall_seconds: 60,
  cpu_seconds: 30,
  memory_mb: 512,
  processes: 64,
  output_bytes: 1024 * 1024,
  file_size_mb: 16,
});

/**
 * What staff may ask for. The sandbox needs at least 16 MiB of memory; the maxima keep one
 * submission from holding a worker for more than an hour or most of a machine's memory.
 */
export const GRADER_LIMIT_RANGE: Readonly<Record<keyof GraderLimits, { min: number; max: number }>> = Object.freeze({
  wall_seconds: { min: 1, max: 3600 },
  cpu_seconds: { min: 1, max: 3600 },
  memory_mb: { min: 16, max: 16384 },
  processes: { min: 1, max: 1024 },
  output_bytes: { min: 1, max: 64 * 1024 * 1024 },
  file_size_mb: { min: 1, max: 4096 },
});

export const MAX_COMMAND_ARGS = 64;
export const MAX_COMMAND_ARG_LENGTH = 4096;

/** A grader's settings, fully resolved (limits not given take the defaults). */
export interface GraderSettings {
  convention: GraderConvention;
  command: string[];
  limits: GraderLimits;
  check_solution: boolean;
}

/** What staff send: limits and check_solution may be left out (defaults). */
export interface GraderInput {
  convention: GraderConvention;
  command: string[];
  limits?: Partial<GraderLimits>;
  check_solution?: boolean;
}

export interface Grader extends GraderSettings {
  exercise_id: number;
  harness_tree_id: number | null;
  /** The harness files, in tree order. */
  harness: TreeListing[];
  created_at: string;
  updated_at: string;
}

/** What the grading engine needs to run one exercise's grader. */
export interface GraderConfig extends GraderSettings {
  exerciseId: number;
  courseId: number;
  harnessTreeId: number | null;
  /** The exercise's reference solution (Hive's PATBAS): run first when `check_solution`. */
  solutionTreeId: number | null;
  /** The limits in the sandbox's units (structurally a Partial<SandboxLimits>). */
  sandboxLimits: { wallMs: number; cpuSeconds: number; memoryBytes: number; processes: number; outputBytes: number; fileSizeBytes: number };
  updatedAt: string;
}

export type ChangeKind = 'created' | 'updated' | 'unchanged';

const MiB = 1024 * 1024;

/**
 * Checks a grader configuration of unknown shape (a parsed JSON body or a YAML section) and
 * resolves the defaults. Problems name their key as a dotted path (`limits.memory_mb`,
 * `command.0`), with Django REST Framework's codes and wording. Unknown keys are ignored.
 */
export function checkGraderInput(raw: unknown): { settings: GraderSettings | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const add = (field: string | null, code: string, message: string) => problems.push({ field, code, message });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    add(null, 'invalid', `Invalid data. Expected a dictionary, but got ${typeName(raw)}.`);
    return { settings: null, problems };
  }
  const input = raw as Record<string, unknown>;

  const convention = input.convention;
  if (convention === undefined || convention === null) add('convention', 'required', 'This field is required.');
  else if (!(GRADER_CONVENTIONS as readonly unknown[]).includes(convention)) add('convention', 'invalid_choice', `"${String(convention)}" is not a valid choice.`);

  const command = input.command;
  if (command === undefined || command === null) add('command', 'required', 'This field is required.');
  else if (!Array.isArray(command)) add('command', 'not_a_list', `Expected a list of items but got type "${typeName(command)}".`);
  else if (command.length === 0) add('command', 'empty', 'This list may not be empty.');
  else if (command.length > MAX_COMMAND_ARGS) add('command', 'max_length', `Ensure this field has no more than ${MAX_COMMAND_ARGS} elements.`);
  else {
    command.forEach((arg, i) => {
      const at = `command.${i}`;
      if (typeof arg !== 'string') add(at, 'invalid', 'Not a valid string.');
      else if (arg.length === 0) add(at, 'blank', 'This field may not be blank.');
      else if (arg.includes('\0')) add(at, 'null_characters_not_allowed', 'Null characters are not allowed.');
      else if ([...arg].length > MAX_COMMAND_ARG_LENGTH) add(at, 'max_length', `Ensure this field has no more than ${MAX_COMMAND_ARG_LENGTH} characters.`);
    });
  }

  const limits: GraderLimits = { ...DEFAULT_GRADER_LIMITS };
  const rawLimits = input.limits;
  if (rawLimits !== undefined && rawLimits !== null) {
    if (typeof rawLimits !== 'object' || Array.isArray(rawLimits)) add('limits', 'invalid', `Invalid data. Expected a dictionary, but got ${typeName(rawLimits)}.`);
    else {
      for (const key of GRADER_LIMIT_KEYS) {
        const value = (rawLimits as Record<string, unknown>)[key];
        if (value === undefined || value === null) continue;
        const { min, max } = GRADER_LIMIT_RANGE[key];
        const at = `limits.${key}`;
        if (typeof value !== 'number' || !Number.isSafeInteger(value)) add(at, 'invalid', 'A valid integer is required.');
        else if (value < min) add(at, 'min_value', `Ensure this value is greater than or equal to ${min}.`);
        else if (value > max) add(at, 'max_value', `Ensure this value is less than or equal to ${max}.`);
        else limits[key] = value;
      }
    }
  }

  const check = input.check_solution;
  if (check !== undefined && check !== null && typeof check !== 'boolean') add('check_solution', 'invalid', 'Must be a valid boolean.');

  if (problems.length > 0) return { settings: null, problems };
  return {
    settings: { convention: convention as GraderConvention, command: [...(command as string[])], limits, check_solution: check === true },
    problems,
  };
}

/** A grader's limits in the sandbox's units. */
export function sandboxLimitsOf(l: GraderLimits): GraderConfig['sandboxLimits'] {
  return {
    wallMs: l.wall_seconds * 1000,
    cpuSeconds: l.cpu_seconds,
    memoryBytes: l.memory_mb * MiB,
    processes: l.processes,
    outputBytes: l.output_bytes,
    fileSizeBytes: l.file_size_mb * MiB,
  };
}

const sameSettings = (a: GraderSettings, b: GraderSettings): boolean =>
  a.convention === b.convention &&
  a.check_solution === b.check_solution &&
  JSON.stringify(a.command) === JSON.stringify(b.command) &&
  GRADER_LIMIT_KEYS.every((k) => a.limits[k] === b.limits[k]);

function settingsOf(row: RowOf<'graders'>): GraderSettings {
  return {
    convention: row.convention as GraderConvention,
    command: JSON.parse(row.command) as string[],
    limits: Object.fromEntries(GRADER_LIMIT_KEYS.map((k) => [k, row[k]])) as unknown as GraderLimits,
    // SQLite answers 0/1 for this column (see types.ts).
    check_solution: Boolean(row.check_solution),
  };
}

const columnsOf = (s: GraderSettings) => ({
  convention: s.convention,
  command: JSON.stringify(s.command),
  ...s.limits,
  check_solution: s.check_solution,
});

/**
 * Grader configuration per exercise (command, limits, convention, harness tree). Staff and the
 * course's instructors only: not found for those who cannot see the exercise, forbidden for
 * those who can but may not manage it, and only then "no grader" (so students cannot tell
 * whether an exercise is graded automatically).
 */
export class GradersService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly files: FilesService,
    private readonly exercises: ExercisesService,
  ) {}

  private row(exerciseId: number, db: Db = this.db): Promise<GraderRow | undefined> {
    return gradersRepo.ofExercise(db, exerciseId);
  }

  private async render(row: RowOf<'graders'>): Promise<Grader> {
    return {
      exercise_id: row.exercise_id,
      ...settingsOf(row),
      harness_tree_id: row.harness_tree_id,
      harness: await this.listing(row.harness_tree_id),
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }

  private async listing(treeId: number | null): Promise<TreeListing[]> {
    if (treeId === null) return [];
    return (await this.files.treeEntries(treeId)).map((e) => ({ path: e.path, size: e.size, sha256: e.blob, md5: e.md5 }));
  }

  /** The grader of an exercise the actor manages; not found when there is none. */
  async get(actor: Actor, exerciseId: number): Promise<Grader> {
    await this.exercises.getForWrite(actor, exerciseId);
    const row = await this.row(exerciseId);
    if (!row) throw AssayError.notFound();
    return this.render(row);
  }

  /** Creates or replaces the grader's settings (limits left out take the defaults); the harness stays. */
  async set(actor: Actor, exerciseId: number, input: GraderInput | Record<string, unknown>): Promise<Grader> {
    await this.exercises.getForWrite(actor, exerciseId);
    const { settings, problems } = checkGraderInput(input);
    if (!settings) throw AssayError.invalid(problems);
    await this.db.transaction().execute((tx) => this.upsertTrusted(tx, exerciseId, settings, undefined));
    return this.get(actor, exerciseId);
  }

  /** Replaces the harness tree at once (a new tree, then the grader points at it); the grader must exist. */
  async setHarness(actor: Actor, exerciseId: number, files: NewTreeFile[]): Promise<TreeListing[]> {
    await this.assertExists(actor, exerciseId);
    const problems = treeShapeProblems(files.map((f) => f.path));
    if (problems.length > 0) throw AssayError.invalid(problems);
    await this.db.transaction().execute(async (tx) => {
      const treeId = await this.files.createTree(files, tx);
      await gradersRepo.update(tx, exerciseId, { harness_tree_id: treeId, updated_at: this.clock.now() });
    });
    return (await this.get(actor, exerciseId)).harness;
  }

  async listHarness(actor: Actor, exerciseId: number): Promise<TreeListing[]> {
    return (await this.get(actor, exerciseId)).harness;
  }

  /** One harness file's bytes, by its path (the grader workbench edits text files with it); not found when there is no such file. */
  async harnessFile(actor: Actor, exerciseId: number, path: string): Promise<{ entry: TreeListing; content: Buffer }> {
    const entry = (await this.get(actor, exerciseId)).harness.find((f) => f.path === path);
    if (!entry) throw AssayError.notFound();
    return { entry, content: await this.files.read(entry.sha256, entry.size) };
  }

  async clearHarness(actor: Actor, exerciseId: number): Promise<void> {
    await this.assertExists(actor, exerciseId);
    await gradersRepo.update(this.db, exerciseId, { harness_tree_id: null, updated_at: this.clock.now() });
  }

  /** Removes the grader (its harness tree is left to `gc`); not found when there is none. */
  async clear(actor: Actor, exerciseId: number): Promise<void> {
    await this.assertExists(actor, exerciseId);
    await gradersRepo.delete(this.db, exerciseId);
  }

  /** Checks before a body is read: the exercise is the actor's to manage and has a grader. */
  async assertExists(actor: Actor, exerciseId: number): Promise<void> {
    await this.exercises.getForWrite(actor, exerciseId);
    if (!(await this.row(exerciseId))) throw AssayError.notFound();
  }

  // ---- trusted: the grading engine and the course directory sync ----

  /** Everything the engine needs to grade a submission of this exercise; null when it has no grader. */
  async configFor(exerciseId: number): Promise<GraderConfig | null> {
    if (!isRowId(exerciseId)) return null;
    const row = await gradersRepo.withExercise(this.db, exerciseId);
    if (!row) return null;
    const settings = settingsOf(row);
    return {
      ...settings,
      exerciseId,
      courseId: row.course_id,
      harnessTreeId: row.harness_tree_id,
      solutionTreeId: row.solution_tree_id,
      sandboxLimits: sandboxLimitsOf(settings.limits),
      updatedAt: row.updated_at,
    };
  }

  /** The stored settings and harness tree of an exercise's grader, or null. */
  async settingsTrusted(exerciseId: number, db: Db = this.db): Promise<(GraderSettings & { harness_tree_id: number | null }) | null> {
    const row = await this.row(exerciseId, db);
    return row ? { ...settingsOf(row), harness_tree_id: row.harness_tree_id } : null;
  }

  /**
   * Writes settings (and the harness tree, unless `harnessTreeId` is undefined) inside the
   * caller's transaction; touches `updated_at` only when something changed.
   */
  async upsertTrusted(db: Db, exerciseId: number, settings: GraderSettings, harnessTreeId: number | null | undefined): Promise<ChangeKind> {
    const now = this.clock.now();
    const current = await this.row(exerciseId, db);
    if (!current) {
      await gradersRepo.insert(db, { exercise_id: exerciseId, ...columnsOf(settings), harness_tree_id: harnessTreeId ?? null, created_at: now, updated_at: now });
      return 'created';
    }
    const treeChanged = harnessTreeId !== undefined && harnessTreeId !== current.harness_tree_id;
    if (!treeChanged && sameSettings(settingsOf(current), settings)) return 'unchanged';
    await gradersRepo.update(db, exerciseId, { ...columnsOf(settings), ...(harnessTreeId !== undefined ? { harness_tree_id: harnessTreeId } : {}), updated_at: now });
    return 'updated';
  }

  /** Removes an exercise's grader inside the caller's transaction; false when it had none. */
  async deleteTrusted(db: Db, exerciseId: number): Promise<boolean> {
    return gradersRepo.delete(db, exerciseId);
  }
}
